"""Physical-name rules: length, characters, reserved prefixes and suffixes per resource type.

Where the Terraform provider's validator and AWS disagree, the stricter rule wins, because a
pulumi-aws deploy meets both: the provider's validators at preview, AWS at create time. The
`*Prefix` limits are the name limit minus the 26 characters the provider appends
(`id.UniqueIDSuffixLength`). Sources: hashicorp/terraform-provider-aws `internal/service/*`
validators (named per rule) and the botocore API models (`min`, `max`, `pattern` and the shape
documentation of each name member).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

TF_PREFIX_SUFFIX = 26
"""Characters Terraform adds to a `name_prefix` (timestamp and counter)."""


@dataclass(frozen=True)
class NameRule:
    """The rule for one name property of one resource type."""

    prop: str
    """Wire (camelCase) property holding the physical name."""
    max: int
    source: str
    min: int = 1
    chars: str | None = None
    """Regex every character must match (a character class), or None for any."""
    pattern: str | None = None
    """Regex the whole name must match (shape rules beyond the character set)."""
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()
    prefix_prop: str | None = None
    """The `*Prefix` property naming the same thing, if the type has one."""
    prefix_max: int | None = None
    extra: Callable[[str], str | None] | None = None
    """A shape check that regexes express badly (IP addresses, ...): the problem or None."""
    what: str = "name"

    def problems(self, value: str) -> list[str]:
        """What is wrong with `value` as this name (empty when AWS would accept it)."""
        return self._problems(value, self.min, self.max, whole=True)

    def prefix_problems(self, value: str) -> list[str]:
        """What is wrong with `value` as this name's prefix."""
        limit = self.prefix_max if self.prefix_max is not None else self.max - TF_PREFIX_SUFFIX
        return self._problems(value, 1, limit, whole=False)

    def _problems(self, value: str, low: int, high: int, *, whole: bool) -> list[str]:
        found = []
        if not low <= len(value) <= high:
            found.append(f"is {len(value)} characters; AWS allows {low}-{high}")
        if self.chars is not None:
            bad = sorted({c for c in value if not re.fullmatch(self.chars, c)})
            if bad:
                found.append(f"contains {''.join(bad)!r}; allowed characters are {self.chars}")
        for reserved in self.reserved_prefixes:
            if value.lower().startswith(reserved):
                found.append(f"starts with {reserved!r}, which AWS reserves")
        if whole:
            for reserved in self.reserved_suffixes:
                if value.lower().endswith(reserved):
                    found.append(f"ends with {reserved!r}, which AWS reserves")
            if self.pattern is not None and not found and not re.fullmatch(self.pattern, value):
                found.append(f"does not match {self.pattern}")
            if self.extra is not None and not found:
                problem = self.extra(value)
                if problem:
                    found.append(problem)
        return found


def _not_ip(value: str) -> str | None:
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return None
    return "is formatted as an IP address"


def _bucket_shape(value: str) -> str | None:
    if ".." in value:
        return "contains '..'"
    return _not_ip(value)
