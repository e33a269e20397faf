"""Database plumbing: engine lifecycle, the messaging tables, unit of work, migrations."""

from rcm_shared.db.database import Database
from rcm_shared.db.tables import MessagingTables, messaging_tables
from rcm_shared.db.uow import UnitOfWork

__all__ = ["Database", "MessagingTables", "UnitOfWork", "messaging_tables"]
