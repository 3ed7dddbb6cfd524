"""Database tier (D1-D10): the RDS instance, Aurora cluster or cross-region read replica with
its parameter groups and log groups (`component.py`), its enhanced monitoring role
(`monitoring.py`), and the master credentials secret (`credentials.py`). Every resource keeps
the `Database` component as its parent."""

from .component import Database, DatabaseArgs

__all__ = ["Database", "DatabaseArgs"]
