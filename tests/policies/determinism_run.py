"""Print, as JSON, the whole pack's report on a violating FSBP program of each policy and on
every split spelling: the input of `test_determinism.py`, run once per process so that each
run gets its own string hash seed, the way two runs of the check do."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    warnings.simplefilter("ignore")
    from tests.policies.fsbp_cases import CASES
    from tests.policies.fsbp_split_cases import SPLIT_CASES
    from tests.policies.helpers import check

    # One violating program per policy (the first of its cases) and every split spelling:
    # each policy runs, and the process stays a few seconds long, twenty times over.
    seen: set[str] = set()
    chosen = [c for c in CASES if not (c.policy in seen or seen.add(c.policy))]
    reports = []
    for case in [*chosen, *SPLIT_CASES]:
        evaluation = check(case.bad, pack_config=case.config).evaluation
        reports.append(
            {
                "violations": [v.as_dict() for v in evaluation.violations],
                "errors": [e.policy for e in evaluation.errors],
            }
        )
    sys.stdout.write(json.dumps(reports, sort_keys=True, indent=1))
