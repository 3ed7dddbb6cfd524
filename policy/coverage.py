"""What the pack covers of AWS Security Hub's FSBP standard, from the policies' own metadata
(P12), and the tables of docs/policies.md that show it.

    python -m policy.coverage            # print the policy, option and coverage tables
    python -m policy.coverage --write    # refresh them in docs/policies.md between their markers

A control is *covered* when a policy claims it in `controls`, *partial* when only in `partial`
(the table says what is not checked), and otherwise listed here as not applicable or not
covered, with the reason. A test fails when a control has no status or the page is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from pulumi_policy import Policy

from .awsfacts import securityhub, split_types
from .pack import POLICIES
from .pack_config import describe

# The generated tables live in the policy reference page.
README = Path(__file__).resolve().parent.parent / "docs" / "policies.md"
OPTIONS_MARKER = "policy-options"

# Controls no policy can decide before deployment: they judge runtime state, the root user, or
# a kind of resource this pack cannot express.
NOT_APPLICABLE = {
    "ACM.1": "runtime: whether ACM renewed a certificate in time",
    "EC2.1": "runtime: snapshots made public after creation; pulumi-aws cannot make one public",
    "EC2.4": "runtime: instances stopped for too long",
    "EC2.20": "runtime: VPN tunnel state",
    "IAM.3": "runtime: access key age",
    "IAM.4": "account root user: its access keys are not managed by IaC",
    "IAM.5": "runtime: MFA devices of console users",
    "IAM.6": "account root user: its hardware MFA",
    "IAM.8": "runtime: credentials unused for 90 days",
    "RDS.22": "DB security groups exist only on EC2-Classic, which AWS retired in 2022",
    "SecretsManager.2": "runtime: whether the last rotation succeeded (the rotation function "
    "is tested against PostgreSQL in this repository instead)",
    "SecretsManager.3": "runtime: secrets unused for 90 days",
    "SSM.2": "runtime: patch compliance of managed instances",
    "SSM.3": "runtime: association compliance of managed instances",
}
# Controls the pack could check but does not, and why.
NOT_COVERED = {
    "EC2.172": "VPC Block Public Access is an account-and-region switch that would cut every "
    "other VPC there off the internet unless each public subnet is excluded; left to the "
    "account owner",
    "ELB.8": "the SSL negotiation policy of a Classic Load Balancer is a separate "
    "LoadBalancerPolicy/ListenerPolicy chain the pack does not follow; classic-load-balancers "
    "asks for HTTPS listeners with ACM certificates, and the program uses ALBs",
    "RDS.23": "a non-default port is obscurity, and changing it restarts the database and "
    "every client's configuration; the program keeps 5432 behind private subnets and security "
    "groups",
    "SSM.1": "whether an instance registered with Systems Manager is runtime state; the "
    "program's instance role carries AmazonSSMManagedInstanceCore (tests/test_compute.py)",
}
# Controls only in CIS v3.0.0 (not FSBP) that no policy checks.
CIS_NOT_COVERED = {
    "IAM.9": "account root user's MFA",
    "IAM.18": "a support role needs the people who handle AWS Support cases",
    "IAM.22": "runtime: credentials unused for 45 days",
    "IAM.26": "runtime: expiry of IAM server certificates",
    "S3.20": "MFA delete can only be turned on by the root user with its MFA device",
    "S3.22": "S3 object-level data events are billed per request; enable per bucket where needed",
    "S3.23": "S3 object-level read events are billed per request, as S3.22",
}


@dataclass(frozen=True)
class Row:
    """One control's status."""

    control: securityhub.Control
    status: str
    policies: tuple[str, ...]
    note: str


def rows(policies: list[Policy] | None = None) -> list[Row]:
    """Every catalogued control with its status, in catalog order."""
    policies = POLICIES if policies is None else policies
    full: dict[str, list[str]] = {}
    partial: dict[str, list[tuple[str, str]]] = {}
    for policy in policies:
        meta = policy.meta
        for control in meta.controls:
            full.setdefault(control, []).append(policy.name)
        for control, gap in meta.partial.items():
            partial.setdefault(control, []).append((policy.name, gap))
    found = []
    for control in securityhub.controls().values():
        cid = control.id
        if control.retired:
            found.append(Row(control, "retired", (), "retired by AWS"))
        elif cid in full:
            names = tuple(full[cid]) + tuple(n for n, _ in partial.get(cid, []))
            found.append(Row(control, "covered", names, ""))
        elif cid in partial:
            names = tuple(n for n, _ in partial[cid])
            found.append(Row(control, "partial", names, "; ".join(g for _, g in partial[cid])))
        elif cid in NOT_APPLICABLE:
            found.append(Row(control, "not applicable", (), NOT_APPLICABLE[cid]))
        elif cid in NOT_COVERED:
            found.append(Row(control, "not covered", (), NOT_COVERED[cid]))
        elif cid in CIS_NOT_COVERED:
            found.append(Row(control, "not covered", (), CIS_NOT_COVERED[cid]))
        else:
            found.append(Row(control, "unknown", (), ""))
    return found


def summary(found: list[Row]) -> dict[str, int]:
    """Counts of FSBP controls in force by status."""
    counts: dict[str, int] = {}
    for row in found:
        if row.control.fsbp and not row.control.retired:
            counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def coverage_markdown(found: list[Row]) -> str:
    """The FSBP coverage table (CIS-only controls after it)."""
    counts = summary(found)
    total = sum(counts.values())
    lines = [
        f"FSBP controls for the services the program deploys: {total} in force; covered "
        f"{counts.get('covered', 0)}, partial {counts.get('partial', 0)}, not applicable "
        f"{counts.get('not applicable', 0)}, not covered {counts.get('not covered', 0)}.",
        "",
        "| Control | Severity | What it asks | Status | Policies | Note |",
        "|---|---|---|---|---|---|",
    ]
    cis_only = []
    for row in found:
        if row.control.retired:
            continue
        line = (
            f"| [{row.control.id}]({row.control.url}) | {row.control.severity.value} | "
            f"{row.control.title} | {row.status} | {', '.join(row.policies)} | {row.note} |"
        )
        (lines if row.control.fsbp else cis_only).append(line)
    lines += [
        "",
        "Controls of Security Hub's CIS AWS Foundations Benchmark v3.0.0 standard that are not "
        "in FSBP:",
        "",
        "| Control | Severity | What it asks | Status | Policies | Note |",
        "|---|---|---|---|---|---|",
        *cis_only,
    ]
    return "\n".join(lines)


def policy_markdown(policies: list[Policy] | None = None) -> str:
    """One row per policy: level, severity, framework references, what it checks."""
    policies = POLICIES if policies is None else policies
    lines = [
        "| Policy | Level | Severity | FSBP / CIS controls | Checks |",
        "|---|---|---|---|---|",
    ]
    for policy in policies:
        meta = policy.meta
        fsbp = ", ".join(meta.fsbp_ids)
        cis = ", ".join(f"CIS {n}" for n in meta.cis_ids)
        references = "; ".join(x for x in (fsbp, cis) if x) or "—"
        level = policy.enforcement_level.value if policy.enforcement_level else "advisory"
        lines.append(
            f"| `{policy.name}` | {level} | {policy.severity.value} | {references} | "
            f"{policy.description} |"
        )
    return "\n".join(lines)


def options_markdown(policies: list[Policy] | None = None) -> str:
    """One row per policy option (policy, option, type, default, meaning), from the config
    schemas; `exemptions`, which every policy takes, is one row for them all."""
    policies = POLICIES if policies is None else policies
    lines = ["| Policy | Option | Type | Default | Meaning |", "|---|---|---|---|---|"]
    shared = policies[0].config_schema.properties["exemptions"] if policies else None
    if shared is not None:
        lines.append(_option_row("every policy", "exemptions", shared))
    for policy in policies:
        for option, schema in policy.config_schema.properties.items():
            if option != "exemptions":
                lines.append(_option_row(f"`{policy.name}`", option, schema))
    return "\n".join(lines)


def _option_row(policy: str, option: str, schema: dict) -> str:
    default = schema.get("default")
    if isinstance(default, list) and len(default) > 4:
        # The accepted TLS policies run to thirty names: the first two say what they look like.
        shown = ", ".join(f"`{json.dumps(v)}`" for v in default[:2])
        default_text = f"{len(default)} values: {shown}, …"
    else:
        default_text = f"`{json.dumps(default)}`" if "default" in schema else "none"
    # A table cell: `|` would end it, and `<region>` would be read as an HTML tag.
    meaning = str(schema.get("description", "")).replace("|", "\\|").replace("<", "&lt;")
    return (
        f"| {policy} | `{option}` | {describe(schema, article=False)} | {default_text} | "
        f"{meaning} |"
    )


def _replace(text: str, marker: str, body: str) -> str:
    pattern = re.compile(
        rf"(<!-- {marker}:start -->\n)(?:.*?\n)?(<!-- {marker}:end -->)", flags=re.DOTALL
    )
    if not pattern.search(text):
        raise ValueError(f"{README.name} has no <!-- {marker}:start/end --> markers")
    return pattern.sub(lambda m: m.group(1) + body + "\n" + m.group(2), text)


def refreshed_readme(text: str) -> str:
    """The page's text with its generated tables brought up to date."""
    text = _replace(text, "policy-table", policy_markdown())
    text = _replace(text, OPTIONS_MARKER, options_markdown())
    text = _replace(text, "split-types", split_types.summary(split_types.load()))
    return _replace(text, "fsbp-coverage", coverage_markdown(rows()))


def main(argv: list[str] | None = None) -> int:
    """Print the tables, or write them into docs/policies.md."""
    parser = argparse.ArgumentParser(prog="python -m policy.coverage")
    parser.add_argument("--write", action="store_true", help="update docs/policies.md in place")
    args = parser.parse_args(argv)
    if args.write:
        README.write_text(refreshed_readme(README.read_text()))
        return 0
    print(policy_markdown())
    print()
    print(options_markdown())
    print()
    print(coverage_markdown(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
