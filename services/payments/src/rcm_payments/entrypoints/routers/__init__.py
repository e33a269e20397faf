"""One APIRouter per resource of the payments API."""
