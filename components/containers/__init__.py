"""The ECS Fargate option of the compute tier (C8): cluster, repository, log group, the
blue/green listener rules, the service and its scaling (`component.py`), and the task with its
roles and container definition (`task.py`). Every resource keeps the `Containers` component as
its parent."""

from .component import Containers, ContainersArgs
from .task import CONTAINER_NAME

__all__ = ["CONTAINER_NAME", "Containers", "ContainersArgs"]
