"""Audit tier (A1-A9): the trail, CIS metric filters and alarms, AWS Config, operational
alarms, the dashboard and the account hygiene, each in its own module; `component.py` holds
the `Audit` component that composes them, and the alert topic, buckets and alarm helper they
share. Every resource keeps the `Audit` component as its parent, so the split changed no URN.
"""

from .cis import CIS_FILTERS
from .component import Audit, AuditArgs

__all__ = ["CIS_FILTERS", "Audit", "AuditArgs"]
