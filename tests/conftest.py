"""pytest fixtures over the shared helpers in support.py, and a minimal valid config."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from support import stack_run  # noqa: E402

from policy.harness import ProgramRun  # noqa: E402


@pytest.fixture(scope="session")
def dev() -> ProgramRun:
    """The dev stack, as the program registers it."""
    return stack_run("dev")


@pytest.fixture(scope="session")
def prod() -> ProgramRun:
    """The prod stack, as the program registers it."""
    return stack_run("prod")


NAMESPACE = "secure-infra"
PRIMARY_CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
SECONDARY_CERT = (
    "arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000"
)
SECONDARY_REGION = {
    "name": "eu-west-1",
    "role": "secondary",
    "vpcCidr": "10.1.0.0/16",
    "azs": ["eu-west-1a", "eu-west-1b"],
}
_VALID_CONFIG = {
    "environment": "dev",
    "service": "core",
    "owner": "platform-team",
    "costCenter": "CC-1",
    "project": "secure-infra",
    "regions": [
        {
            "name": "us-east-1",
            "role": "primary",
            "vpcCidr": "10.0.0.0/16",
            "azs": ["us-east-1a", "us-east-1b"],
        }
    ],
    "compute": {"certificateArn": {"us-east-1": PRIMARY_CERT}},
}


def valid_config() -> dict:
    """A fresh copy of a minimal valid config (camelCase keys, one region, its certificate),
    for tests that change one thing and expect one error."""
    return copy.deepcopy(_VALID_CONFIG)
