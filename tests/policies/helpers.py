"""Run a small Pulumi program under the harness and evaluate the pack (or some of it)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pulumi
import pulumi_aws as aws

from policy.evaluate import evaluate
from policy.findings import Evaluation
from policy.harness import ProgramRun, run_inline
from policy.pack import INITIAL_CONFIG, PACK_ENFORCEMENT, POLICIES

TAGS = {"Environment": "dev", "Project": "p", "Owner": "o", "CostCenter": "cc"}
PROD_TAGS = {**TAGS, "Environment": "Production"}
ACCOUNT = "123456789012"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


# The default tags of the default provider while a program is run in its default-provider
# spelling (`on_default_provider`); None while programs use an explicit provider.
_DEFAULT_PROVIDER_TAGS: ContextVar[dict[str, str] | None] = ContextVar(
    "default_provider_tags", default=None
)


@contextmanager
def on_default_provider(tags: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]:
    """Within the block `provider()` gives options without a provider, so that the program's
    resources land on the default `aws` provider; yields the stack config (`aws:region`,
    `aws:defaultTags`) that configures it as `provider(tags)` configures the explicit one."""
    wanted = dict(TAGS if tags is None else tags)
    token = _DEFAULT_PROVIDER_TAGS.set(wanted)
    try:
        yield default_provider_config(wanted)
    finally:
        _DEFAULT_PROVIDER_TAGS.reset(token)


def provider(tags: Mapping[str, str] | None = None, name: str = "aws") -> pulumi.ResourceOptions:
    """Options placing a resource on an explicit provider with default tags (inside
    `on_default_provider`, no provider: the default one, configured by stack config)."""
    wanted = dict(TAGS if tags is None else tags)
    configured = _DEFAULT_PROVIDER_TAGS.get()
    if configured is not None:
        # One default provider per stack: a program asking for other default tags than the
        # stack config gives it cannot be spelled on the default provider.
        if wanted != configured:
            raise AssertionError(
                f"provider({wanted}) asked for other default tags than the default provider's "
                f"{configured}: give the case those tags"
            )
        return pulumi.ResourceOptions()
    p = aws.Provider(
        name,
        region="us-east-1",
        default_tags=aws.ProviderDefaultTagsArgs(tags=wanted),
    )
    return pulumi.ResourceOptions(provider=p)


def default_provider_config(tags: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Stack config for programs on the default provider, with default tags."""
    return {
        "aws:region": "us-east-1",
        "aws:defaultTags": {"tags": dict(TAGS if tags is None else tags)},
    }


def doc(*statements: Mapping[str, Any]) -> str:
    """A policy document as a JSON string."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


class Result:
    """A program run and its evaluation, with lookups by policy."""

    def __init__(self, run: ProgramRun, evaluation: Evaluation) -> None:
        self.run = run
        self.evaluation = evaluation

    def of(self, policy: str, level: str | None = None) -> list[tuple[str, str]]:
        """(resource name, message) of the violations of one policy."""
        return [
            (v.name, v.message)
            for v in self.evaluation.violations
            if v.policy == policy and (level is None or v.enforcement == level)
        ]

    def names(self, policy: str, level: str | None = None) -> set[str]:
        """Names of the resources violating one policy."""
        return {name for name, _ in self.of(policy, level)}

    def messages(self, policy: str) -> str:
        """Every message of one policy, joined (for substring assertions)."""
        return "\n".join(message for _, message in self.of(policy))


def check(
    program: Callable[[], Any],
    policies: Iterable[str] | None = None,
    *,
    config: Mapping[str, Any] | None = None,
    pack_config: Mapping[str, Any] | None = None,
) -> Result:
    """Run `program` under mocks and evaluate the named policies (default: the whole pack)."""
    wanted = set(policies) if policies is not None else None
    selected = [p for p in POLICIES if wanted is None or p.name in wanted]
    if wanted is not None:
        assert {p.name for p in selected} == wanted, "unknown policy name in test"
    run = run_inline(program, config=config)
    evaluation = evaluate(
        run,
        selected,
        pack_level=PACK_ENFORCEMENT,
        initial_config=INITIAL_CONFIG,
        config=pack_config,
    )
    return Result(run, evaluation)
