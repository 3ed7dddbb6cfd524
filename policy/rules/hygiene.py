"""P8 hygiene: physical names that collide across stacks, deprecated resource types. (Invalid
parameter values and combinations, such as Route 53 health-check parameters, are the preflight
module's: `preflight.py`.)"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from functools import cache

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, Severity
from pulumi_policy.proxy import UnknownValueError

from ..type_tokens import resource_class
from .common import by_type, is_autonamed, resource_policy
from .metadata import Meta

# Types the provider documents as deprecated, in case its module carries no warning.
DEPRECATED_TYPES = {
    "aws:s3/bucketV2:BucketV2": "aws.s3.Bucket",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": (
        "aws.s3.BucketServerSideEncryptionConfiguration"
    ),
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws.s3.BucketVersioning",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": (
        "aws.s3.BucketLifecycleConfiguration"
    ),
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws.s3.BucketLogging",
    "aws:s3/bucketAclV2:BucketAclV2": "aws.s3.BucketAcl",
    "aws:s3/bucketPolicyV2:BucketPolicyV2": "aws.s3.BucketPolicy",
    "aws:ec2/launchConfiguration:LaunchConfiguration": "aws.ec2.LaunchTemplate",
}
# A stack-unique part: a random-looking final segment (pulumi-random, autoname-like suffix).
UNIQUE_SUFFIX = re.compile(r"[-_.](?=[a-z0-9]*\d)[a-z0-9]{6,}$|[-_.][a-z0-9]{8,}$", re.I)
NAME_PROPS = {
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
}


@cache
def deprecation(type_token: str) -> str | None:
    """Why a type is deprecated (from the provider's module warning or the list above)."""
    if type_token in DEPRECATED_TYPES:
        return f"use {DEPRECATED_TYPES[type_token]}"
    cls = resource_class(type_token)
    module = sys.modules.get(cls.__module__) if cls is not None else None
    path = getattr(module, "__file__", None)
    if not path:
        return None
    with open(path, encoding="utf-8") as source:
        for line in source:
            if line.startswith("warnings.warn(") and "deprecated" in line:
                return line.split('"""')[1] if '"""' in line else line.strip()
    return None


def _physical_name(args: ResourceValidationArgs) -> Iterator[str]:
    prop = NAME_PROPS[args.resource_type]
    try:
        value = args.props.get(prop)
    except UnknownValueError:
        # Computed from another resource (e.g. a pulumi-random suffix): not a fixed name.
        return
    if not value or is_autonamed(str(value), args.name):
        return
    if UNIQUE_SUFFIX.search(str(value)):
        return
    yield (
        f"{prop}={value!r} is a fixed physical name that collides across stacks and "
        f"replacements: leave {prop} to autonaming or add a stack-unique suffix "
        "(pulumi-random)"
    )


def _deprecated(args: ResourceValidationArgs) -> Iterator[str]:
    reason = deprecation(args.resource_type)
    if reason:
        yield f"{args.resource_type} is deprecated ({reason}): move to the replacement type"


POLICIES = [
    resource_policy(
        "unique-physical-names",
        "P8: IAM role/policy names and S3 bucket names are autonamed or carry a "
        "stack-unique suffix, so two stacks never collide.",
        EnforcementLevel.MANDATORY,
        by_type(dict.fromkeys(NAME_PROPS, _physical_name)),
        meta=Meta(
            category="hygiene",
            requirements=("P8",),
            severity=Severity.MEDIUM,
            url="https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming",
            remediation=(
                "Leave the name property unset so Pulumi autonames the resource, or build the name"
                " from the stack name and a pulumi-random suffix."
            ),
        ),
    ),
    resource_policy(
        "deprecated-resource-types",
        "P8 (advisory): resource types the provider deprecates (BucketV2, *V2 bucket "
        "configurations, LaunchConfiguration, ...).",
        EnforcementLevel.ADVISORY,
        _deprecated,
        meta=Meta(
            category="hygiene",
            requirements=("P8",),
            severity=Severity.LOW,
            url="https://www.pulumi.com/registry/packages/aws/how-to-guides/7-0-migration/",
            remediation=(
                "Move to the replacement type the message names, with an alias or an import so the"
                " cloud resource is kept."
            ),
        ),
    ),
]
