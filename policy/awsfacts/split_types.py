"""The pulumi-aws resource types that set part of another resource's configuration ("split"
types: policies, attachments, associations, settings, rules, permissions), as data derived from
the provider's own Python SDK rather than listed one type at a time.

Source: the installed `pulumi_aws` package. For every resource class of a service module, its
type token (the string its constructor passes to `CustomResource.__init__`) and its required
constructor arguments (the `<Class>Args.__init__` parameters not typed `Optional`). A type
*modifies another resource* when a required argument names a resource class of the services in
scope (`bucket` -> `Bucket`, `key_id` -> `Key`, `function_name` -> `Function`,
`security_group_id` -> `SecurityGroup`; the suffixes `_id`, `_arn`, `_name`, `_url` and
`_identifier` are dropped) and the type is a part of it by its name: the owner's class name
starts it (`BucketPolicy`, `SecretRotation`, `DetectorFeature`) or it ends in a word for a part
(`Policy`, `Attachment`, `Association`, `Permission`, `Rule`, ...). A subnet names its VPC too,
but a subnet is not part of the VPC's configuration, and neither rule admits it.

`split_types.json` beside this module is what `derive()` returns for the services the pack's
policies read, with each service's count of resource types (`tools/split_types.py` rewrites it
and prints `summary()`, the table docs/policies.md shows; tests check that both are current).
`policy/effective.py` merges every type in it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("split_types.json")
# Words that make a type a part of the resource it names (the kinds of split resource the
# provider has: policies, attachments, associations, settings, rules, permissions, ...).
PART_WORDS = (
    "Policy",
    "Attachment",
    "Association",
    "Permission",
    "Rule",
    "Setting",
    "Settings",
    "Configuration",
    "Controls",
    "Block",
    "Feature",
    "Rotation",
    "Grant",
    "Acl",
    "Versioning",
    "Logging",
    "Log",
    "Notification",
    "Membership",
    "Subscription",
)
# Types whose names make them look like parts but which hold data, not configuration.
NOT_PARTS = {
    "BucketObject": "an object is the bucket's content",
    "BucketObjectv2": "an object is the bucket's content",
    "SecretVersion": "the secret's value, not its configuration",
}
LINK_SUFFIXES = ("_identifier", "_id", "_arn", "_name", "_url")
TOKEN = re.compile(r"super\((\w+), __self__\)\.__init__\(\s*'(aws:[^']+)'")


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _pascal(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


def _module(service: str) -> Any:
    # `lambda` is a keyword: the SDK's module is `lambda_`.
    return importlib.import_module(f"pulumi_aws.{service}{'_' if service == 'lambda' else ''}")


@cache
def module_types(service: str) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Class name -> (type token, required constructor arguments, optional arguments that may
    name another resource: those ending in a link suffix) of one service module."""
    module = _module(service)
    found: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    for path in sorted(Path(module.__file__).parent.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for class_name, token in TOKEN.findall(text):
            if token.count(":") != 2 or "/" not in token:
                continue  # functions and providers are not resources
            # The file's own args class (`<Class>InitArgs` when `<Class>Args` is taken by a
            # nested input type of another resource, as for the bucket's encryption).
            submodule = importlib.import_module(f"{module.__name__}.{path.stem}")
            args_class = getattr(submodule, f"{class_name}InitArgs", None) or getattr(
                submodule, f"{class_name}Args", None
            )
            required: tuple[str, ...] = ()
            optional: tuple[str, ...] = ()
            if args_class is not None:
                parameters = inspect.signature(args_class.__init__).parameters
                arguments = [
                    (name, "Optional" in str(p.annotation))
                    for name, p in parameters.items()
                    if name not in ("self", "__self__")
                ]
                required = tuple(name for name, is_optional in arguments if not is_optional)
                optional = tuple(
                    name
                    for name, is_optional in arguments
                    if is_optional and name.endswith(LINK_SUFFIXES)
                )
            found[class_name] = (token, required, optional)
    return found


def _owner_argument(
    service: str,
    class_name: str,
    required: tuple[str, ...],
    classes: dict[str, str],
    optional: tuple[str, ...] = (),
) -> tuple[str, str] | None:
    """(owner type token, argument) of a split type, or None. An owner whose class name starts
    the type's name (`TopicPolicy` -> `Topic`, in any service in scope) wins, named by the
    argument naming it or, failing that, the type's `arn`/`id`/`name`; else an owner of the
    same service, when the type's name ends in a part word that is not the argument itself (a
    `TopicPolicy`'s `policy` is its document, not an IAM policy); else, last, an owner whose
    class name starts the type's name and which an *optional* link argument names (an
    `EventBusPolicy`'s `event_bus_name`, which defaults to the account's default bus), of the
    same service. Optional arguments count only so narrowly: by a part word, or across
    services, they admit an EC2 `KeyPair` as a part of a KMS key (its `key_name`)."""
    # Own service first, then the service this one is a control plane of (`s3control` of
    # `s3`, `ec2transitgateway` of `ec2`), then the rest: an `AccessPointPolicy` of s3control
    # is an S3 access point's, not an EFS one's.
    others = {key.split(":")[0] for key in classes} - {service}
    services = [service, *sorted(others, key=lambda s: (not service.startswith(s), s))]

    def owner_class(argument: str) -> str:
        stem = argument
        for suffix in LINK_SUFFIXES:
            if stem.endswith(suffix):
                stem = stem[: -len(suffix)]
                break
        return _pascal(stem)

    for argument in required:
        name = owner_class(argument)
        if name != class_name and class_name.startswith(name):
            for s in services:
                # Across services only an id or ARN links: by a `_name` an IAM
                # `ServiceSpecificCredential` (its `service_name`, e.g. codecommit) would be
                # an ECS service's part.
                if f"{s}:{name}" in classes and (
                    s == service or argument.endswith(("_id", "_arn"))
                ):
                    return classes[f"{s}:{name}"], argument
    prefixed = [
        key
        for key in classes
        if key.startswith(f"{service}:")
        and key.split(":")[1] != class_name
        and class_name.startswith(key.split(":")[1])
    ]
    if prefixed:
        owner = max(prefixed, key=len)  # the longest prefix: SecurityGroup over Security
        for argument in ("arn", "id", "name"):
            if argument in required:
                return classes[owner], argument
    part = next((w for w in PART_WORDS if class_name.endswith(w)), None)
    if part is not None:
        for argument in required:
            name = owner_class(argument)
            if name not in (class_name, part) and f"{service}:{name}" in classes:
                return classes[f"{service}:{name}"], argument
    for argument in optional:
        name = owner_class(argument)
        if name != class_name and class_name.startswith(name) and f"{service}:{name}" in classes:
            return classes[f"{service}:{name}"], argument
    return None


def derive(services: Iterable[str]) -> dict[str, dict[str, dict[str, str]]]:
    """For each service, each type that modifies another resource of the services in scope:
    its owner's type token and the wire (camelCase) property that names the owner."""
    services = sorted(set(services))
    classes: dict[str, str] = {}
    for service in services:
        for class_name, (token, _, _) in module_types(service).items():
            # A service's own class wins over a same-named one elsewhere (`ec2.Instance`).
            classes.setdefault(f"{service}:{class_name}", token)
    result: dict[str, dict[str, dict[str, str]]] = {}
    for service in services:
        found: dict[str, dict[str, str]] = {}
        for class_name, (token, required, optional) in sorted(module_types(service).items()):
            if class_name in NOT_PARTS:
                continue
            match = _owner_argument(service, class_name, required, classes, optional)
            if match is not None and match[0] != token:
                found[token] = {"owner": match[0], "link": _camel(match[1])}
        result[service] = found
    return result


TWIN_NOTE = re.compile(
    r"`(\w+)\.(\w+)` is known as `(\w+)\.(\w+)`\. The functionality is identical"
)


def twins(services: Iterable[str]) -> dict[str, str]:
    """Type tokens of one AWS resource that two modules of the provider both offer, each
    mapped to its twin: the SDK's docstrings say so ("`alb.Listener` is known as
    `lb.Listener`. The functionality is identical."). A part written with one module's class
    names an owner written with the other's."""
    found: dict[str, str] = {}
    for service in sorted(set(services)):
        types = module_types(service)
        module = _module(service)
        for path in sorted(Path(module.__file__).parent.glob("*.py")):
            for mod, name, twin_mod, twin_name in TWIN_NOTE.findall(path.read_text("utf-8")):
                if mod == service and name in types and twin_mod in services:
                    twin = module_types(twin_mod).get(twin_name)
                    if twin is not None:
                        found[types[name][0]] = twin[0]
    return dict(sorted(found.items()))


def pack_services(rule_sources: Iterable[str]) -> list[str]:
    """The services (pulumi-aws modules) whose type tokens the pack's rule modules name."""
    tokens = re.compile(r"\"aws:([a-z0-9]+)/[A-Za-z0-9]+:[A-Za-z0-9]+\"")
    return sorted({match for text in rule_sources for match in tokens.findall(text)})


def summary(data: dict[str, Any]) -> str:
    """The inventory's counts as a Markdown table: per service, the split types (every one of
    which the effective view merges) against all of the service's resource types."""
    split, totals = data["split"], data["resource_types"]
    lines = ["| service | split types | resource types |", "|---|---:|---:|"]
    lines += [
        f"| `{service}` | {len(types)} | {totals[service]} |"
        for service, types in split.items()
        if types
    ]
    empty = sorted(service for service, types in split.items() if not types)
    merged, total = sum(len(t) for t in split.values()), sum(totals.values())
    lines += [
        "",
        f"{merged} split types among {total} resource types in {len(split)} services; none in "
        f"{', '.join(f'`{s}`' for s in empty)}.",
    ]
    return "\n".join(lines)


@cache
def load() -> dict[str, Any]:
    """The committed inventory: `source`, `services` and `split` (service -> type -> owner and
    link)."""
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def owner_aliases() -> dict[str, str]:
    """Type token -> the token the view indexes it under: the twins of the inventory."""
    return dict(load().get("twins", {}))


@cache
def split_types() -> dict[str, dict[str, str]]:
    """Every split type of the inventory, flat: type token -> {owner, link}."""
    return {token: entry for types in load()["split"].values() for token, entry in types.items()}
