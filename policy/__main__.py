"""The CrossGuard policy pack's entry point, as the Pulumi CLI starts it.

`pulumi preview --policy-pack DIR` runs `python -u -m pulumi.policy ADDR DIR` with DIR as the
working directory, and `pulumi.policy` runs this file. Serving blocks until the engine stops the
process, so nothing may import this module: the pack itself is `pack.py`.

The package is imported under the name of the folder it sits in: `policy` in this repository,
the distribution's import name when installed, so the same file serves both.
"""

import importlib
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
# The folder's parent makes the folder importable as a package (already so in site-packages).
if str(_HERE.parent) not in sys.path:
    sys.path.insert(0, str(_HERE.parent))

importlib.import_module(f"{_HERE.name}.pack").serve()
