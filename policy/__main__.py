"""The CrossGuard policy pack, served to the Pulumi CLI (`pulumi preview --policy-pack policy`).

Only assembles the pack: the PolicyPack constructor serves gRPC until the engine stops it, so
nothing may import this module. The policies live in `policy.rules`, the pack in `policy.pack`.
"""

import sys
from pathlib import Path

# The CLI runs this file from inside policy/; the pack imports as the `policy` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, PACK_NAME, POLICIES

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=PACK_ENFORCEMENT,
    initial_config=INITIAL_CONFIG,
)
