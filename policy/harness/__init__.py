"""Run a Pulumi Python program under mocks the way `pulumi preview` would, and capture every
resource it registers (P10, P11, P14). Shared by the offline check and the tests; works for
any Pulumi Python program that uses pulumi-aws.

One module per layer:
- `stack_config`: the stack's config as the engine hands it to the program;
- `fakes`, `invokes`: fake AWS answers for resources and data sources, as data;
- `provider_check`, `autonaming`: what pulumi-aws's Check does to inputs (default tags,
  physical names) and where it fails;
- `monitor`: the mock engine that captures registrations and fails where the engine fails;
- `runner`: running a program (a directory or a callable) and reporting its failures;
- `state_export`: a deployed stack from `pulumi stack export`, checked with the same pack;
- `sdk_compat`: the only module that touches the Pulumi SDK's internals.
"""

from .model import (
    ACCOUNT_ID,
    DEFAULT_REGION,
    CapturedOptions,
    CapturedResource,
    ProgramError,
    ProgramRun,
    RemoteComponent,
)
from .runner import run_inline, run_program
from .stack_config import SECRET_PLACEHOLDER, load_stack_config, read_project_name
from .state_export import run_from_export

__all__ = [
    "ACCOUNT_ID",
    "DEFAULT_REGION",
    "SECRET_PLACEHOLDER",
    "CapturedOptions",
    "CapturedResource",
    "ProgramError",
    "ProgramRun",
    "RemoteComponent",
    "load_stack_config",
    "read_project_name",
    "run_from_export",
    "run_inline",
    "run_program",
]
