"""One APIRouter per resource of the coding service."""
