"""Stack config: the validated, frozen model every component is built from (S1, S5)."""

from .base import LOG_RETENTION_DAYS
from .load import ConfigError, config_from_mapping, load_config
from .network import NetworkConfig, RegionConfig
from .stack import StackConfig

__all__ = [
    "LOG_RETENTION_DAYS",
    "ConfigError",
    "NetworkConfig",
    "RegionConfig",
    "StackConfig",
    "config_from_mapping",
    "load_config",
]
