"""Audit tier (A1-A9): the trail, CIS metric filters and alarms, AWS Config, operational
alarms, the dashboard and the account hygiene, each a function in its own module that takes
what it reads and returns what it built. `shared.py` builds the alert topic and the alarm and
audit-bucket factories the concerns receive; `component.py` holds the `Audit` component that
composes them. Every resource keeps the `Audit` component as its parent, so the split changed
no URN.
"""

from .args import AuditArgs
from .cis import CIS_FILTERS
from .component import Audit

__all__ = ["CIS_FILTERS", "Audit", "AuditArgs"]
