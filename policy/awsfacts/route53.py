"""What Route 53 accepts for a health check (API reference, HealthCheckConfig; terraform-provider
-aws route53/health_check.go): protocols, intervals, thresholds, lengths and the regions its
checkers run in. The DNS failover component and the stack config both check against these."""

from __future__ import annotations

from collections.abc import Callable, Sequence

PROTOCOLS = ("HTTP", "HTTPS")
REQUEST_INTERVALS = (10, 30)
# The regions Route 53 health checkers run in (the only values `regions` accepts); when set,
# Route 53 needs at least three of them.
CHECKER_REGIONS = (
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
)
MIN_CHECKER_REGIONS = 3
MAX_RESOURCE_PATH = 255
MAX_SEARCH_STRING = 255

Key = Callable[[str], str]
"""Spells a field's name the caller's way (a component's argument, a config key)."""


def health_check_problems(
    key: Key,
    *,
    path: str,
    port: int,
    protocol: str,
    search_string: str | None,
    request_interval: int,
    failure_threshold: int,
    checker_regions: Sequence[str] | None,
) -> list[str]:
    """Why Route 53 would refuse these health-check parameters (empty when it would not)."""
    problems = []
    if protocol not in PROTOCOLS:
        problems.append(f"{key('protocol')} {protocol!r} must be one of {', '.join(PROTOCOLS)}")
    if not 1 <= port <= 65535:
        problems.append(f"{key('port')} {port} must be 1-65535")
    if not path.startswith("/") or len(path) > MAX_RESOURCE_PATH:
        problems.append(
            f"{key('path')} {path!r} must start with '/' and be at most {MAX_RESOURCE_PATH} "
            "characters"
        )
    if search_string is not None and not 0 < len(search_string) <= MAX_SEARCH_STRING:
        problems.append(f"{key('search_string')} must be 1-{MAX_SEARCH_STRING} characters")
    if request_interval not in REQUEST_INTERVALS:
        problems.append(
            f"{key('request_interval')} {request_interval} must be 10 or 30 (seconds); Route 53 "
            "accepts no other value"
        )
    if not 1 <= failure_threshold <= 10:
        problems.append(f"{key('failure_threshold')} {failure_threshold} must be 1-10")
    if checker_regions is not None:
        unknown = sorted(set(checker_regions) - set(CHECKER_REGIONS))
        if unknown:
            problems.append(
                f"{key('checker_regions')} {unknown} are not Route 53 health-checker regions "
                f"(valid: {', '.join(CHECKER_REGIONS)})"
            )
        elif len(set(checker_regions)) < MIN_CHECKER_REGIONS:
            problems.append(
                f"{key('checker_regions')} needs at least {MIN_CHECKER_REGIONS} distinct "
                f"regions, got {len(set(checker_regions))}"
            )
    return problems
