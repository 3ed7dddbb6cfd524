"""Run a Pulumi Python program under mocks the way `pulumi preview` would, and capture every
resource it registers (P10).

The harness is shared by the offline policy check (`python -m policy.check`) and the tests. It
works for any Pulumi Python program that uses pulumi-aws:

- project name from `<dir>/Pulumi.yaml`, config from `<dir>/Pulumi.<stack>.yaml` (secure values
  replaced by clearly marked placeholders), project config defaults honoured;
- a fresh event loop, config and root stack per run, so runs never leak into each other;
- realistic answers to the invokes programs commonly make (availability zones, caller identity,
  region, partition, SSM parameters, AMIs, policy documents, ELB service account, ...);
- plausible ids, ARNs and autonamed physical names per resource type;
- for every resource: type, logical name, URN, inputs as the provider's Check would leave them
  (provider default tags merged into `tags`, autonamed `name`), the provider, parent,
  dependencies and options;
- explicit providers and the default provider (configured by `aws:*` stack config) alike, with
  `pulumi:disable-default-providers` enforced as the engine enforces it.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import inspect
import json
import os
import runpy
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import wait_for_rpcs
from pulumi.runtime.sync_await import _sync_await
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from . import autonaming
from .awsfacts.elb import LOG_DELIVERY_ACCOUNTS
from .rules.common import resource_class

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
SECRET_PLACEHOLDER = "offline-check-placeholder-for-{key}"
_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"

# Availability zone letters per region as AWS reports them to a typical account.
_AZ_LETTERS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ca-central-1": "abd",
    "sa-east-1": "abc",
}
# Canonical hosted zone ids of application load balancers, for alias records.
_ALB_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}
# Id prefixes AWS uses, so that programs and policies see realistic ids.
_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ebs/volume:Volume": "vol-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:route53/zone:Zone": "Z0",
    "aws:route53/healthCheck:HealthCheck": "hc-",
}
# ARN shapes for services whose ARNs are not `<service>:<region>:<account>:<type>/<name>`.
_GLOBAL_SERVICES = {"iam", "route53", "cloudfront", "organizations"}
# How values unknown during preview arrive in policy inputs (pulumi_policy's sentinels).
_UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)


class ProgramError(Exception):
    """The program or its config failed; the message says what and where."""


@dataclass(frozen=True)
class CapturedOptions:
    """The resource options the engine would see."""

    protect: bool = False
    retain_on_delete: bool = False
    ignore_changes: tuple[str, ...] = ()
    delete_before_replace: bool | None = None
    aliases: tuple[str, ...] = ()
    additional_secret_outputs: tuple[str, ...] = ()
    replace_on_changes: tuple[str, ...] = ()
    custom_timeouts: Mapping[str, str] = field(default_factory=dict)
    deleted_with: str | None = None
    replacement_trigger: Any = None
    """The value whose change replaces the resource (unknown values as sentinels)."""


@dataclass
class CapturedResource:
    """One registered resource, as the engine would hand it to a policy."""

    urn: str
    type: str
    name: str
    custom: bool
    inputs: dict[str, Any]
    """Wire (camelCase) inputs after the provider's Check: default tags merged, names applied.
    Values unknown during preview are pulumi_policy's unknown sentinels."""
    state: dict[str, Any]
    """Outputs the mocks returned (inputs plus plausible id, ARN and computed attributes)."""
    id: str
    provider_urn: str | None
    parent_urn: str | None
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    options: CapturedOptions
    source: tuple[str, int] | None = None
    """Where the program registered the resource: (file URI, line), as the SDK reports it."""

    @property
    def is_provider(self) -> bool:
        """True for provider resources (`pulumi:providers:<package>`)."""
        return self.type.startswith("pulumi:providers:")


@dataclass
class ProgramRun:
    """Everything one run of a program registered, in registration order."""

    project: str
    stack: str
    config: dict[str, str]
    resources: list[CapturedResource]
    outputs: dict[str, Any]
    unmocked_invokes: list[str]
    stack_urn: str
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """Every invoke the program made (token, arguments), in the order they were answered."""

    def by_urn(self) -> dict[str, CapturedResource]:
        """Resources keyed by URN."""
        return {r.urn: r for r in self.resources}

    def of_type(self, type_token: str) -> list[CapturedResource]:
        """Resources of one type, in registration order."""
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> CapturedResource:
        """The single resource with this logical name (error if none or several)."""
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def provider_of(self, resource: CapturedResource) -> CapturedResource | None:
        """The provider resource a resource is managed by (explicit or default)."""
        if resource.provider_urn is None:
            return None
        return self.by_urn().get(resource.provider_urn)


# --------------------------------------------------------------------------------------------
# Config


def _config_value(value: Any) -> str:
    # The engine hands the program every config value as a string: objects and lists as JSON,
    # booleans in lowercase, numbers in decimal.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _qualify(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return ("secure" in value and len(value) == 1) or any(
            _has_secure(v) for v in value.values()
        )
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _replace_secure(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER.format(key=key)
        return {k: _replace_secure(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_secure(v, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def read_project_name(program_dir: Path) -> str:
    """The project name from `<dir>/Pulumi.yaml` (or `.yml`)."""
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = program_dir / candidate
        if path.is_file():
            data = yaml.safe_load(path.read_text()) or {}
            if not data.get("name"):
                raise ProgramError(f"{path} has no `name`")
            return str(data["name"])
    raise ProgramError(f"no Pulumi.yaml in {program_dir}: not a Pulumi project directory")


def load_stack_config(
    program_dir: Path, project: str, stack: str
) -> tuple[dict[str, str], list[str]]:
    """Config of one stack as the engine would pass it: qualified keys, string values, secure
    values replaced by marked placeholders. Returns (config, secret keys)."""
    values: dict[str, Any] = {}
    project_file = next(
        (program_dir / n for n in ("Pulumi.yaml", "Pulumi.yml") if (program_dir / n).is_file()),
        None,
    )
    project_config = (yaml.safe_load(project_file.read_text()) or {}).get("config") or {}
    for key, spec in project_config.items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec):
            values[_qualify(key, project)] = spec.get("value", spec.get("default"))
        elif not isinstance(spec, dict):
            values[_qualify(key, project)] = spec
    stack_file = program_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise ProgramError(f"no stack config {stack_file}: is the stack name right?")
    try:
        stack_data = yaml.safe_load(stack_file.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ProgramError(f"{stack_file} is not valid YAML: {exc}") from None
    for key, value in (stack_data.get("config") or {}).items():
        values[_qualify(key, project)] = value
    secret_keys = [k for k, v in values.items() if _has_secure(v)]
    config = {k: _config_value(_replace_secure(v, k)) for k, v in values.items()}
    return config, secret_keys


# --------------------------------------------------------------------------------------------
# Provider knowledge: which types take tags and autonamed names


@cache
def _resource_parameters(type_token: str) -> frozenset[str]:
    """Constructor parameters of the pulumi-aws class for a type token (empty if unknown)."""
    cls = resource_class(type_token)
    if cls is None:
        return frozenset()
    return frozenset(inspect.signature(cls._internal_init).parameters)


@cache
def _tags_are_a_map(type_token: str) -> bool:
    """True when the class takes `tags` as a map. Auto Scaling groups take a list of tag
    blocks, which the provider's default tags never reach (its Check leaves them alone)."""
    cls = resource_class(type_token)
    parameter = inspect.signature(cls._internal_init).parameters.get("tags") if cls else None
    return parameter is not None and "Mapping" in str(parameter.annotation)


@cache
def _package_version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(f"pulumi-{package}")
    except PackageNotFoundError:
        return "0.0.0"


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


# --------------------------------------------------------------------------------------------
# Mocked engine


def _convert_refs(value: Any) -> Any:
    # Resource references reach providers that do not accept them as the referenced id (or
    # URN for components); pulumi-aws does not, so that is what policies see too.
    if isinstance(value, list):
        return [_convert_refs(v) for v in value]
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _RESOURCE_REF_SIG:
            return value.get("id") or value.get("urn")
        return {k: _convert_refs(v) for k, v in value.items()}
    return value


def _known(value: Any) -> Any:
    """`value` with unknown sentinels removed (for the mocked outputs)."""
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items() if not _is_unknown(v)}
    if isinstance(value, list):
        return [_known(v) for v in value if not _is_unknown(v)]
    return value


def _is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in _UNKNOWN_SENTINELS


class _Run:
    """Mutable state of one run, shared by the monitor and the mocks."""

    def __init__(self, project: str, stack: str, config: Mapping[str, str]) -> None:
        self.project = project
        self.stack = stack
        self.config = dict(config)
        self.resources: list[CapturedResource] = []
        self.providers: dict[str, CapturedResource] = {}
        self.unmocked_invokes: list[str] = []
        self.invokes: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()
        self.default_providers: dict[str, CapturedResource] = {}
        self.errors: list[str] = []
        # Every URN and alias registered so far, to the URN of the resource that holds it.
        self.claimed_urns: dict[str, str] = {}
        # Event loops the mock monitor creates in the SDK's worker threads; closed after the
        # run, or they are collected after their sockets and warn.
        self.thread_loops: set[asyncio.AbstractEventLoop] = set()

    def _config_json(self, key: str) -> Any:
        raw = self.config.get(key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw

    def disabled_default_providers(self) -> set[str]:
        value = self._config_json("pulumi:disable-default-providers") or []
        return set(value if isinstance(value, list) else [value])

    def default_provider(self, package: str) -> CapturedResource:
        """The default provider of a package, configured from `<package>:*` stack config."""
        with self.lock:
            if package in self.default_providers:
                return self.default_providers[package]
            inputs = {
                key.split(":", 1)[1]: self._config_json(key)
                for key in self.config
                if key.startswith(f"{package}:")
            }
            # The engine registers default providers as `default_<version>` resources.
            name = f"default_{_package_version(package).replace('.', '_')}"
            urn = f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::{name}"
            provider = CapturedResource(
                urn=urn,
                type=f"pulumi:providers:{package}",
                name=name,
                custom=True,
                inputs=inputs,
                state=dict(inputs),
                id="default",
                provider_urn=None,
                parent_urn=None,
                dependencies=[],
                property_dependencies={},
                options=CapturedOptions(),
            )
            self.default_providers[package] = provider
            self.providers[urn] = provider
            self.resources.append(provider)
            return provider

    def provider_for_ref(self, ref: str | None, package: str) -> CapturedResource:
        if ref:
            # A provider reference is "<provider urn>::<provider id>".
            urn = ref.rsplit("::", 1)[0]
            if urn in self.providers:
                return self.providers[urn]
        return self.default_provider(package)

    @staticmethod
    def region_of(provider: CapturedResource | None) -> str:
        if provider is None:
            return DEFAULT_REGION
        return str(provider.inputs.get("region") or DEFAULT_REGION)

    @staticmethod
    def default_tags_of(provider: CapturedResource | None) -> dict[str, str]:
        if provider is None:
            return {}
        raw = provider.inputs.get("defaultTags")
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError:
                return {}
        if isinstance(raw, dict) and isinstance(raw.get("tags"), dict):
            return {str(k): v for k, v in raw["tags"].items()}
        return {}


class _Mocks(pulumi_mocks.Mocks):
    """Answers invokes with realistic values and computes plausible resource outputs."""

    def __init__(self, run: _Run) -> None:
        self._run = run

    # Resources ------------------------------------------------------------------------------

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str, dict]:
        # Only used for `Resource.get` reads; registrations go through the monitor below.
        state = dict(args.inputs)
        return args.resource_id or f"{args.name}-id", state

    def outputs_for(
        self, type_token: str, logical: str, urn: str, inputs: dict[str, Any], region: str
    ) -> tuple[str, dict[str, Any]]:
        """A plausible physical id and output state for a new resource."""
        state = _known(dict(inputs))
        # Names chosen by AWS from a prefix are outputs only (unknown in preview, set after).
        for prop, prefix in (("name", "namePrefix"), ("bucket", "bucketPrefix")):
            if prop not in state and isinstance(state.get(prefix), str):
                state[prop] = state[prefix] + _hex(urn, 26)
        name = state.get("name") or state.get("bucket") or logical
        prefix = _ID_PREFIX.get(type_token)
        if prefix:
            rid = prefix + _hex(urn, 17)
        elif type_token.startswith("pulumi:providers:"):
            rid = _hex(urn, 36)
        else:
            rid = str(name)
        package, module_path, type_name = ([*type_token.split(":"), "", ""])[:3]
        service = module_path.split("/")[0]
        resource_kind = type_name[:1].lower() + type_name[1:]
        if service in _GLOBAL_SERVICES:
            arn = f"arn:aws:{service}::{ACCOUNT_ID}:{resource_kind}/{name}"
        else:
            arn = f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource_kind}/{name}"
        state.setdefault("id", rid)
        if package == "aws":
            state.setdefault("arn", arn)
        self._type_specific(type_token, state, name, urn, region)
        return rid, state

    @staticmethod
    def _type_specific(
        type_token: str, state: dict[str, Any], name: str, urn: str, region: str
    ) -> None:
        h = _hex(urn, 12)
        if type_token == "aws:kms/key:Key":
            key_id = (
                f"{h[:8]}-{h[8:12]}-4{_hex(urn + 'k', 3)}-8{_hex(urn + 'l', 3)}-{_hex(urn, 12)}"
            )
            state.update(keyId=key_id, arn=f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}")
        elif type_token == "aws:s3/bucket:Bucket":
            state.update(
                arn=f"arn:aws:s3:::{name}",
                bucketDomainName=f"{name}.s3.amazonaws.com",
                bucketRegionalDomainName=f"{name}.s3.{region}.amazonaws.com",
                region=region,
            )
        elif type_token == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{name}"
        elif type_token == "aws:iam/role:Role":
            state.update(arn=f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", uniqueId=f"AROA{h.upper()}")
        elif type_token == "aws:iam/policy:Policy":
            state["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:policy/{name}"
        elif type_token == "aws:lambda/function:Function":
            arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
            state.update(
                arn=arn,
                qualifiedArn=f"{arn}:1",
                version="1",
                invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/"
                f"functions/{arn}/invocations",
            )
        elif type_token == "aws:secretsmanager/secret:Secret":
            state["arn"] = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{h[:6]}"
        elif type_token == "aws:sns/topic:Topic":
            state["arn"] = f"arn:aws:sns:{region}:{ACCOUNT_ID}:{name}"
        elif type_token == "aws:ec2/eip:Eip":
            state.update(allocationId=state["id"], publicIp=f"198.51.100.{int(h[:2], 16) % 250}")
        elif type_token == "aws:ec2/vpc:Vpc":
            state.update(defaultSecurityGroupId=f"sg-{h}", mainRouteTableId=f"rtb-{h}")
        elif type_token == "aws:lb/loadBalancer:LoadBalancer":
            suffix = f"app/{name}/{h[:16]}"
            state.update(
                arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
                arnSuffix=suffix,
                dnsName=f"{name}-{int(h[:8], 16)}.{region}.elb.amazonaws.com",
                zoneId=_ALB_ZONE_IDS.get(region, "Z35SXDOTRQ7X7K"),
            )
        elif type_token == "aws:lb/targetGroup:TargetGroup":
            suffix = f"targetgroup/{name}/{h[:16]}"
            state.update(
                arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}", arnSuffix=suffix
            )
        elif type_token == "aws:rds/instance:Instance":
            address = f"{name}.c{h[:10]}.{region}.rds.amazonaws.com"
            state.update(
                address=address,
                endpoint=f"{address}:5432",
                port=5432,
                resourceId=f"db-{h.upper()}",
                arn=f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{name}",
            )
        elif type_token == "aws:rds/cluster:Cluster":
            ident = state.get("clusterIdentifier") or name
            state.update(
                endpoint=f"{ident}.cluster-c{h[:10]}.{region}.rds.amazonaws.com",
                readerEndpoint=f"{ident}.cluster-ro-c{h[:10]}.{region}.rds.amazonaws.com",
                port=5432,
                clusterResourceId=f"cluster-{h.upper()}",
                arn=f"arn:aws:rds:{region}:{ACCOUNT_ID}:cluster:{ident}",
            )
        elif type_token == "aws:ec2/launchTemplate:LaunchTemplate":
            state.update(latestVersion=1, defaultVersion=1)
        elif type_token == "aws:acm/certificate:Certificate":
            domain = state.get("domainName", "example.com")
            state["domainValidationOptions"] = [
                {
                    "domainName": domain,
                    "resourceRecordName": f"_{h[:16]}.{domain}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_{h[16:] or h}.acm-validations.aws.",
                }
            ]
        elif type_token == "aws:ecr/repository:Repository":
            state.update(
                registryId=ACCOUNT_ID,
                repositoryUrl=f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}",
                arn=f"arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/{name}",
            )
        elif type_token == "aws:ecs/cluster:Cluster":
            state["arn"] = f"arn:aws:ecs:{region}:{ACCOUNT_ID}:cluster/{name}"
        elif type_token == "aws:route53/record:Record":
            record = str(state.get("name") or name).rstrip(".")
            state["fqdn"] = record if "." in record else f"{record}.example.com"
        elif type_token == "aws:route53/zone:Zone":
            state.update(zoneId=state["id"], nameServers=["ns-1.awsdns-00.com."])
        elif type_token.startswith("random:"):
            state.update(
                result=f"offline{h}",
                hex=h,
                b64Url=h,
                b64Std=h,
                dec=str(int(h, 16)),
                id=state.get("id") or h,
            )

    # Invokes --------------------------------------------------------------------------------

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list]:
        package = args.token.split(":")[0]
        provider = self._run.provider_for_ref(args.provider, package) if package == "aws" else None
        region = _Run.region_of(provider)
        handler = _INVOKES.get(args.token)
        with self._run.lock:
            self._run.invokes.append((args.token, dict(args.args)))
        if handler is None:
            with self._run.lock:
                self._run.unmocked_invokes.append(args.token)
            return {}, []
        return handler(dict(args.args), region, provider), []


def _azs(args: dict, region: str, _p: Any) -> dict:
    letters = _AZ_LETTERS.get(region, "abc")
    return {
        "id": region,
        "names": [region + c for c in letters],
        "zoneIds": [f"{region[:3]}{region.split('-')[-1]}-az{i + 1}" for i in range(len(letters))],
        "state": args.get("state", "available"),
        "groupNames": [region],
    }


def _partition(region: str) -> dict:
    """The partition of a region, as the provider reports it (China and GovCloud differ)."""
    if region.startswith("cn-"):
        name, suffix, reverse = "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"
    elif region.startswith("us-gov-"):
        name, suffix, reverse = "aws-us-gov", "amazonaws.com", "com.amazonaws"
    else:
        name, suffix, reverse = "aws", "amazonaws.com", "com.amazonaws"
    return {"id": name, "partition": name, "dnsSuffix": suffix, "reverseDnsPrefix": reverse}


def _policy_document(args: dict, _r: str, _p: Any) -> dict:
    statements = []
    for s in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        for src, dst in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if s.get(src):
                out[dst] = s[src]
        for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if s.get(src):
                out[dst] = {p["type"]: p["identifiers"] for p in s[src]}
        if s.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in s["conditions"]:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        statements.append(out)
    doc = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return {"id": _hex(doc, 10), "json": doc, "minifiedJson": doc}


_INVOKES: dict[str, Callable[[dict, str, Any], dict]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, r, p: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-check",
        "userId": "AIDAOFFLINECHECK",
        "id": ACCOUNT_ID,
    },
    "aws:index/getRegion:getRegion": lambda a, r, p: {
        "id": r,
        "name": r,
        "region": r,
        "description": r,
        "endpoint": f"ec2.{r}.amazonaws.com",
    },
    "aws:index/getPartition:getPartition": lambda a, r, p: _partition(r),
    "aws:index/getDefaultTags:getDefaultTags": lambda a, r, p: {
        "id": "aws",
        "tags": _Run.default_tags_of(p),
    },
    "aws:ssm/getParameter:getParameter": lambda a, r, p: {
        "id": a.get("name", ""),
        "name": a.get("name", ""),
        "type": "String",
        "version": 1,
        "arn": f"arn:aws:ssm:{r}:{ACCOUNT_ID}:parameter{a.get('name', '')}",
        "value": "ami-0a1b2c3d4e5f67890" if "ami" in a.get("name", "") else "offline-value",
        "insecureValue": "offline-value",
        "withDecryption": a.get("withDecryption", True),
    },
    "aws:ec2/getAmi:getAmi": lambda a, r, p: {
        "id": "ami-0a1b2c3d4e5f67890",
        "imageId": "ami-0a1b2c3d4e5f67890",
        "architecture": "x86_64",
        "rootDeviceName": "/dev/xvda",
        "name": "al2023-ami-offline",
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    # The provider knows only the regions that predate the log-delivery service principal.
    "aws:elb/getServiceAccount:getServiceAccount": lambda a, r, p: {
        "id": LOG_DELIVERY_ACCOUNTS.get(r, "127311923021"),
        "arn": f"arn:aws:iam::{LOG_DELIVERY_ACCOUNTS.get(r, '127311923021')}:root",
    },
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": lambda a, r, p: {
        "id": a.get("serviceName") or f"com.amazonaws.{r}.{a.get('service', 's3')}",
        "serviceName": a.get("serviceName") or f"com.amazonaws.{r}.{a.get('service', 's3')}",
        "serviceType": a.get("serviceType", "Interface"),
        "serviceId": "vpce-svc-0offline0check0",
        "owner": "amazon",
        "acceptanceRequired": False,
        "availabilityZones": [r + c for c in _AZ_LETTERS.get(r, "abc")],
        "privateDnsName": f"{(a.get('serviceName') or '').rsplit('.', 1)[-1]}.{r}.amazonaws.com",
        "vpcEndpointPolicySupported": True,
        "managesVpcEndpoints": False,
        "baseEndpointDnsNames": [],
        "supportedIpAddressTypes": ["ipv4"],
    },
    "aws:route53/getZone:getZone": lambda a, r, p: {
        "id": "Z0OFFLINE0ZONE",
        "zoneId": "Z0OFFLINE0ZONE",
        "name": (a.get("name") or "example.com").rstrip(".") + ".",
        "nameServers": ["ns-1.awsdns-00.com."],
    },
    "aws:acm/getCertificate:getCertificate": lambda a, r, p: {
        "id": a.get("domain", "example.com"),
        "domain": a.get("domain", "example.com"),
        "arn": f"arn:aws:acm:{r}:{ACCOUNT_ID}:certificate/00000000-0000-4000-8000-000000000000",
        "status": "ISSUED",
    },
}


class _Monitor(pulumi_mocks.MockMonitor):
    """The mock monitor, extended to keep everything the engine would know of a registration."""

    def __init__(self, mocks: _Mocks, run: _Run) -> None:
        super().__init__(mocks)
        self._run = run
        self._aws_mocks = mocks

    def _track_thread_loop(self) -> None:
        loop = pulumi_mocks._ensure_event_loop()
        loop.set_exception_handler(_quiet_echoes)
        with self._run.lock:
            self._run.thread_loops.add(loop)

    def Invoke(self, request: Any) -> Any:
        self._track_thread_loop()
        return super().Invoke(request)

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's qualified types.
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == "pulumi:pulumi:Stack":
            return resource_pb2.RegisterResourceResponse(urn=urn)
        self._track_thread_loop()

        raw = _convert_refs(json_format.MessageToDict(request.object))
        inputs = deserialize_properties(raw)
        package = request.type.split(":")[0]
        provider: CapturedResource | None = None
        is_provider = request.type.startswith("pulumi:providers:")
        if request.custom and not is_provider and package not in ("pulumi",):
            if not request.provider and package in self._run.disabled_default_providers():
                message = (
                    f"Default provider for '{package}' disabled. '{urn}' must use an "
                    "explicit provider (pulumi:disable-default-providers)."
                )
                # Recorded, not only raised: the SDK wraps errors from the monitor in chains
                # that bury the message.
                self._run.errors.append(message)
                raise RuntimeError(message)
            provider = self._run.provider_for_ref(request.provider or None, package)
        inputs = self._after_check(request.type, request.name, urn, inputs, provider)
        region = _Run.region_of(provider) if not is_provider else str(inputs.get("region") or "")
        rid, state = self._aws_mocks.outputs_for(
            request.type, request.name, urn, inputs, region or DEFAULT_REGION
        )
        if not request.custom:
            rid, state = "", {}
        captured = CapturedResource(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            inputs=inputs,
            state=state,
            id=rid,
            provider_urn=provider.urn if provider else None,
            parent_urn=request.parent or None,
            dependencies=list(request.dependencies),
            property_dependencies={
                k: list(v.urns) for k, v in request.propertyDependencies.items()
            },
            options=CapturedOptions(
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                ignore_changes=tuple(request.ignoreChanges),
                delete_before_replace=(
                    request.deleteBeforeReplace if request.deleteBeforeReplaceDefined else None
                ),
                aliases=self._aliases(request),
                additional_secret_outputs=tuple(request.additionalSecretOutputs),
                replace_on_changes=tuple(request.replaceOnChanges),
                custom_timeouts={
                    k: v
                    for k, v in (
                        ("create", request.customTimeouts.create),
                        ("update", request.customTimeouts.update),
                        ("delete", request.customTimeouts.delete),
                    )
                    if v
                },
                deleted_with=request.deletedWith or None,
                replacement_trigger=_trigger(request),
            ),
            source=(request.sourcePosition.uri, request.sourcePosition.line)
            if request.HasField("sourcePosition") and request.sourcePosition.uri
            else None,
        )
        self._claim_urns(captured)
        with self._run.lock:
            self._run.resources.append(captured)
            if is_provider:
                self._run.providers[urn] = captured
        self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, rid, state)
        obj = _sync_await(pulumi.runtime.rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=obj)

    def _claim_urns(self, resource: CapturedResource) -> None:
        """Fail as the engine fails when two resources share a URN, or an alias names a URN
        another resource has or aliases (the step generator's duplicate checks)."""
        with self._run.lock:
            claimed = self._run.claimed_urns
            problem = None
            if resource.urn in claimed:
                problem = f"Duplicate resource URN '{resource.urn}'; try giving it a unique name"
            for alias in resource.options.aliases:
                if alias in claimed and claimed[alias] != resource.urn:
                    problem = (
                        f"Duplicate resource alias '{alias}' applied to resource with URN "
                        f"'{resource.urn}' conflicting with resource with URN '{claimed[alias]}'"
                    )
            if problem is None:
                claimed[resource.urn] = resource.urn
                for alias in resource.options.aliases:
                    claimed[alias] = resource.urn
                return
            # Recorded, not only raised: the SDK wraps errors from the monitor in chains that
            # bury the message.
            self._run.errors.append(problem)
        raise RuntimeError(problem)

    def _aliases(self, request: Any) -> tuple[str, ...]:
        """Every alias as the URN it names, whether the SDK sent URNs or alias specs."""
        found = list(request.aliasURNs)
        for alias in request.aliases:
            if alias.urn:
                found.append(alias.urn)
                continue
            spec = alias.spec
            parent = "" if spec.noParent else (spec.parentUrn or request.parent)
            urn = self.make_urn(parent, spec.type or request.type, spec.name or request.name)
            project, stack = spec.project or self._run.project, spec.stack or self._run.stack
            found.append(
                urn.replace(
                    f"urn:pulumi:{self._run.stack}::{self._run.project}::",
                    f"urn:pulumi:{stack}::{project}::",
                    1,
                )
            )
        return tuple(found)

    def _after_check(
        self,
        type_token: str,
        logical: str,
        urn: str,
        inputs: dict[str, Any],
        provider: CapturedResource | None,
    ) -> dict[str, Any]:
        """Apply what pulumi-aws's Check does before policies see the inputs: merge the
        provider's default tags under the resource's own tags, and autoname the physical name
        by the provider's rule for the type (`policy.autonaming`), failing as it would."""
        params = _resource_parameters(type_token)
        if not params:
            return inputs
        result = dict(inputs)
        defaults = _Run.default_tags_of(provider)
        if defaults and _tags_are_a_map(type_token):
            own = result.get("tags") if isinstance(result.get("tags"), dict) else {}
            result["tags"] = {**defaults, **own}
        rule = autonaming.rule_for(type_token, result, has_name="name" in params)
        try:
            if rule is not None:
                _fill_name(result, rule, type_token, logical, urn)
            nested = autonaming.NESTED.get(type_token)
            if nested is not None and isinstance(result.get(nested[0]), list):
                key, item_rule = nested
                result[key] = [
                    _fill_name(dict(item), item_rule, type_token, logical, f"{urn}[{index}]")
                    if isinstance(item, dict)
                    else item
                    for index, item in enumerate(result[key])
                ]
        except autonaming.AutonameError as exc:
            problem, prop = exc.args
            message = (
                f"{type_token} resource '{logical}' ({urn}) has a problem: {problem}. The "
                f"provider autonames `{prop}` from the logical name: set `{prop}` (or a prefix) "
                "explicitly, or shorten the logical name"
            )
            # Recorded, not only raised: the SDK wraps errors from the monitor in chains
            # that bury the message.
            self._run.errors.append(message)
            raise RuntimeError(message) from None
        return result


def _trigger(request: Any) -> Any:
    """A request's replacement trigger, deserialized like inputs (None when unset)."""
    if not request.HasField("replacement_trigger"):
        return None
    value = json_format.MessageToDict(request.replacement_trigger)
    return deserialize_properties({"trigger": value})["trigger"]


def _fill_name(
    props: dict[str, Any], rule: autonaming.AutonameRule, type_token: str, logical: str, seed: str
) -> dict[str, Any]:
    """`props` with `rule.property` autonamed unless set, or named through its prefix
    (the bridge skips the default when a conflicting `*Prefix` property is set)."""
    prop = rule.property
    if prop in props or f"{prop}Prefix" in props:
        return props
    try:
        props[prop] = autonaming.autoname(rule, type_token, logical, seed, props)
    except autonaming.AutonameError as exc:
        raise autonaming.AutonameError(str(exc), prop) from None
    return props


# --------------------------------------------------------------------------------------------
# Running a program


@contextmanager
def _program_environment(program_dir: Path | None) -> Iterator[None]:
    """cwd and sys.path as `pulumi` would set them; modules the program imported from its own
    directory are forgotten afterwards so that another program's same-named modules load."""
    if program_dir is None:
        yield
        return
    before = set(sys.modules)
    old_cwd = Path.cwd()
    sys.path.insert(0, str(program_dir))
    os.chdir(program_dir)
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path.remove(str(program_dir))
        harness_root = Path(__file__).resolve().parent.parent
        if program_dir.resolve() != harness_root:
            for name in set(sys.modules) - before:
                module_file = getattr(sys.modules[name], "__file__", None) or ""
                if module_file and Path(module_file).resolve().is_relative_to(
                    program_dir.resolve()
                ):
                    del sys.modules[name]


# When a registration fails, every Output waiting on it fails too; the SDK never awaits most of
# them, so the event loops report each one as it is collected (hundreds of tracebacks that all
# repeat the one error the run already raises as ProgramError).
_ECHOES = ("exception was never retrieved", "Task was destroyed but it is pending")


def _quiet_echoes(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    if any(echo in str(context.get("message", "")) for echo in _ECHOES):
        return
    loop.default_exception_handler(context)


def _resolve_outputs(stack: Any) -> dict[str, Any]:
    async def resolve() -> dict[str, Any]:
        result = {}
        for key, value in (getattr(stack, "outputs", None) or {}).items():
            output = pulumi.Output.from_input(value)
            result[key] = await output.future() if await output.is_known() else None
        return result

    return asyncio.get_event_loop().run_until_complete(resolve())


def _execute(
    program: Callable[[], Any],
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: list[str],
    program_dir: Path | None,
) -> ProgramRun:
    run = _Run(project, stack, config)
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(_quiet_echoes)
    asyncio.set_event_loop(loop)
    try:
        # A fresh root stack per run: set_mocks only creates one when none is set, and a stale
        # one from an earlier run would parent this run's resources (pulumi/pulumi#24338).
        pulumi_settings.ROOT.set(None)
        pulumi.runtime.set_all_config(dict(config), secret_keys)
        mocks = _Mocks(run)
        pulumi.runtime.set_mocks(
            mocks, project=project, stack=stack, preview=True, monitor=_Monitor(mocks, run)
        )
        root = pulumi_settings.get_root_resource()
        stack_urn = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
        with _program_environment(program_dir):
            try:
                program()
                loop.run_until_complete(wait_for_rpcs())
            except Exception as exc:
                if run.errors:
                    raise ProgramError(run.errors[0]) from None
                raise ProgramError(f"{type(exc).__name__}: {exc}") from exc
        outputs = _resolve_outputs(root)
    finally:
        pulumi_settings.SETTINGS.outputs.clear()
        loop.close()
        for thread_loop in run.thread_loops - {loop}:
            if not thread_loop.is_running() and not thread_loop.is_closed():
                thread_loop.close()
        asyncio.set_event_loop(None)
    return ProgramRun(
        project=project,
        stack=stack,
        config=dict(config),
        resources=list(run.resources),
        outputs=outputs,
        unmocked_invokes=sorted(set(run.unmocked_invokes)),
        stack_urn=stack_urn,
        invokes=list(run.invokes),
    )


def run_program(
    program_dir: str | Path = ".",
    stack: str = "dev",
    *,
    config_overrides: Mapping[str, Any] | None = None,
) -> ProgramRun:
    """Run the program in `program_dir` for `stack` under mocks and capture what it registers.

    `config_overrides` (qualified or project-relative keys, any JSON-able values) are applied
    over the stack file, for tests of variants. Raises ProgramError if the program fails.
    """
    program_dir = Path(program_dir).resolve()
    project = read_project_name(program_dir)
    config, secret_keys = load_stack_config(program_dir, project, stack)
    for key, value in (config_overrides or {}).items():
        config[_qualify(key, project)] = _config_value(value)
    main = program_dir / "__main__.py"
    if not main.is_file():
        raise ProgramError(f"no __main__.py in {program_dir}")
    context = contextvars.copy_context()
    return context.run(
        _execute,
        lambda: runpy.run_path(str(main), run_name="__main__"),
        project,
        stack,
        config,
        secret_keys,
        program_dir,
    )


def run_inline(
    program: Callable[[], Any],
    *,
    project: str = "inline",
    stack: str = "test",
    config: Mapping[str, Any] | None = None,
) -> ProgramRun:
    """Run a Python callable as a Pulumi program under mocks (for small test programs)."""
    qualified = {_qualify(k, project): _config_value(v) for k, v in (config or {}).items()}
    context = contextvars.copy_context()
    return context.run(_execute, program, project, stack, qualified, [], None)
