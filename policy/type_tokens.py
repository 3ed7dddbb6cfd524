"""What both the policies and the harness know of pulumi-aws: the class behind a type token
and the constructor parameters it takes. Shared here so that `policy/rules/` and
`policy/harness/` never import each other.

A class is looked up only when a type token asks for it, so a check imports just the
pulumi-aws service modules the program itself uses.
"""

from __future__ import annotations

import importlib
import inspect
from functools import cache


@cache
def resource_class(type_token: str) -> type | None:
    """The pulumi-aws class of a type token, or None if it is not one."""
    package, module_path, type_name = ([*type_token.split(":"), "", ""])[:3]
    if package != "aws" or not type_name:
        return None
    module_name = module_path.split("/")[0]
    # Modules named like Python keywords get a trailing underscore (`lambda` -> `lambda_`).
    candidates = (
        ["pulumi_aws"]
        if module_name == "index"
        else [f"pulumi_aws.{module_name}", f"pulumi_aws.{module_name}_"]
    )
    for module in candidates:
        try:
            return getattr(importlib.import_module(module), type_name)
        except (ImportError, AttributeError):
            continue
    return None


@cache
def constructor_parameters(type_token: str) -> frozenset[str]:
    """Constructor parameters of the pulumi-aws class for a type token (empty if unknown)."""
    cls = resource_class(type_token)
    if cls is None:
        return frozenset()
    try:
        return frozenset(inspect.signature(cls._internal_init).parameters)
    except (AttributeError, ValueError):
        return frozenset()


def takes_parameter(type_token: str, parameter: str) -> bool:
    """Whether the pulumi-aws resource class for a type accepts a constructor parameter."""
    return parameter in constructor_parameters(type_token)


@cache
def tags_are_a_map(type_token: str) -> bool:
    """True when the class takes `tags` as a map. Auto Scaling groups take a list of tag
    blocks, which the provider's default tags never reach."""
    cls = resource_class(type_token)
    if cls is None:
        return False
    parameter = inspect.signature(cls._internal_init).parameters.get("tags")
    return parameter is not None and "Mapping" in str(parameter.annotation)
