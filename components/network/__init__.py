"""Network tier (N1-N9): the VPC with subnets per AZ and tier, gateways and routes
(`component.py`); flow logs, the security groups every tier uses and the VPC endpoints, each a
function in its own module that takes what it reads and returns what it built. Every resource
keeps the `Network` component as its parent."""

from .component import Network, NetworkArgs
from .endpoints import AWS_OWNED_BUCKETS

__all__ = ["AWS_OWNED_BUCKETS", "Network", "NetworkArgs"]
