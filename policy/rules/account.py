"""The account baseline: the account- and region-wide settings the stack that owns the account
declares (Config, CloudTrail, GuardDuty, EBS default encryption, S3 account public-access
block, Systems Manager settings, IAM Access Analyzer, the password policy), and IAM users'
permissions, against the Security Hub FSBP and CIS controls (P3, P5, P12, A10). GuardDuty's
protection plans are `guardduty.py`'s.

A stack owns the baseline when it declares any account-level singleton (a Security Hub
account, a GuardDuty detector, a Config recorder, EBS default encryption, the S3 account
public-access block or the password policy); it must then declare all of it, in every region
where it declares a regional part. A stack that declares none is left alone: another stack of
the account owns the baseline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationArgs

from ..effective import region_of
from .common import as_list, by_type, get, resource_policy, stack_policy, truthy
from .metadata import Meta
from .network import PAB_FLAGS
from .passwords import (
    USER_EXCLUSIVE_ATTACHMENTS,
    password_policy_problems,
    user_permission_problems,
)

MANDATORY = EnforcementLevel.MANDATORY
HUB = "aws:securityhub/account:Account"
DETECTOR = "aws:guardduty/detector:Detector"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
EBS_DEFAULT = "aws:ebs/encryptionByDefault:EncryptionByDefault"
S3_ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
PASSWORD_POLICY = "aws:iam/accountPasswordPolicy:AccountPasswordPolicy"
SERVICE_SETTING = "aws:ssm/serviceSetting:ServiceSetting"
ANALYZER = "aws:accessanalyzer/analyzer:Analyzer"
TRAIL = "aws:cloudtrail/trail:Trail"
REGIONAL_MARKERS = frozenset({HUB, DETECTOR, RECORDER, EBS_DEFAULT})
GLOBAL_MARKERS = frozenset({S3_ACCOUNT_PAB, PASSWORD_POLICY})
# Systems Manager service settings (SSM.6, SSM.7): setting id suffix -> wanted value.
SSM_SETTINGS = {
    "/ssm/automation/customer-script-log-destination": "CloudWatch",
    "/ssm/documents/console/public-sharing-permission": "Disable",
}
# IAM.7 (FSBP's parameters) and CIS 1.8/1.9 (IAM.15, IAM.16).


# --------------------------------------------------------------------------------------------
# The baseline (Config.1, CloudTrail.1, EC2.7, S3.1, SSM.6, SSM.7, GuardDuty.1, IAM.7, IAM.28)


def _records_everything(recorder: Any) -> bool:
    group = recorder.props.get("recordingGroup") or {}
    strategy = get(group, "recordingStrategies", 0, "useOnly")
    return truthy(group.get("allSupported", True)) or strategy == "ALL_SUPPORTED_RESOURCE_TYPES"


def _logs_management_events(trail: Any) -> bool:
    props = trail.props
    if not truthy(props.get("isMultiRegionTrail")) or props.get("enableLogging") is False:
        return False
    selectors = as_list(props.get("eventSelectors"))
    advanced = as_list(props.get("advancedEventSelectors"))
    if not selectors and not advanced:
        return True  # CloudTrail's default: all management events, read and write.
    for selector in selectors:
        if (
            selector.get("includeManagementEvents", True)
            and (selector.get("readWriteType") or "All") == "All"
        ):
            return True
    for selector in advanced:
        fields = {str(f.get("field")): f for f in as_list(selector.get("fieldSelectors"))}
        category = [str(v) for v in as_list(get(fields, "eventCategory", "equals"))]
        if category == ["Management"] and "readOnly" not in fields:
            return True
    return False


def _stack_urn(resources: list[Any]) -> str:
    # Findings about a missing account setting belong to the stack: no resource sets it.
    return next(r.urn for r in resources if r.resource_type == "pulumi:pulumi:Stack")


def _first(resources: list[Any]) -> Any:
    # The resource a finding about several of one type lands on: the same one every run.
    return min(resources, key=lambda r: r.urn)


def _baseline(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    """Each missing part on the stack with "add ..."; each part that exists but is set wrong
    on the resource that sets it, with "set X to Y" (issue 21, item 3)."""
    resources = list(args.resources)
    by_type_: dict[str, list[Any]] = {}
    for resource in resources:
        by_type_.setdefault(resource.resource_type, []).append(resource)
    markers = [r for r in resources if r.resource_type in REGIONAL_MARKERS | GLOBAL_MARKERS]
    if not markers:
        return
    stack = _stack_urn(resources)
    regions = sorted({region_of(r) for r in markers if r.resource_type in REGIONAL_MARKERS})

    def in_region(type_: str, region: str) -> list[Any]:
        return [r for r in by_type_.get(type_, []) if region_of(r) == region]

    for region in regions:
        recorders = in_region(RECORDER, region)
        statuses = in_region(RECORDER_STATUS, region)
        if not recorders:
            yield (
                stack,
                f"{region}: AWS Config does not record: add an aws.cfg.Recorder "
                "(recording_group.all_supported=True), a DeliveryChannel and a RecorderStatus "
                "with is_enabled=True",
            )
        else:
            if not any(_records_everything(r) for r in recorders):
                yield (
                    _first(recorders).urn,
                    f"{region}: the Config recorder does not record every supported resource "
                    "type: set recording_group.all_supported to True",
                )
            if not statuses:
                yield (
                    stack,
                    f"{region}: the Config recorder is never started: add an "
                    "aws.cfg.RecorderStatus with is_enabled=True",
                )
            elif not any(truthy(s.props.get("isEnabled")) for s in statuses):
                yield (
                    _first(statuses).urn,
                    f"{region}: the Config recorder is stopped: set is_enabled to True",
                )
            if not in_region(DELIVERY_CHANNEL, region):
                yield (
                    stack,
                    f"{region}: the Config recorder has no delivery channel: add an "
                    "aws.cfg.DeliveryChannel",
                )
        detectors = in_region(DETECTOR, region)
        if not detectors:
            yield stack, f"{region}: GuardDuty is off: add an enabled aws.guardduty.Detector"
        elif not any(truthy(d.props.get("enable", True)) for d in detectors):
            yield _first(detectors).urn, f"{region}: GuardDuty is off: set enable to True"
        defaults = in_region(EBS_DEFAULT, region)
        if not defaults:
            yield (
                stack,
                f"{region}: new EBS volumes are not encrypted by default: add "
                "aws.ebs.EncryptionByDefault(enabled=True)",
            )
        elif not any(truthy(e.props.get("enabled", True)) for e in defaults):
            yield (
                _first(defaults).urn,
                f"{region}: new EBS volumes are not encrypted by default: set enabled to True",
            )
        settings: dict[str, list[Any]] = {}
        for setting in in_region(SERVICE_SETTING, region):
            suffix = str(setting.props.get("settingId") or "").split("servicesetting", 1)[-1]
            settings.setdefault(suffix, []).append(setting)
        for setting_id, value in SSM_SETTINGS.items():
            found = settings.get(setting_id, [])
            if not found:
                yield (
                    stack,
                    f"{region}: Systems Manager setting {setting_id} is not {value}: add an "
                    f"aws.ssm.ServiceSetting for it with setting_value {value!r}",
                )
            for setting in found:
                if str(setting.props.get("settingValue")) != value:
                    yield (
                        setting.urn,
                        f"{region}: Systems Manager setting {setting_id} is "
                        f"{setting.props.get('settingValue')!r}: set setting_value to {value!r}",
                    )
        if not in_region(ANALYZER, region):
            yield (
                stack,
                f"{region}: no IAM Access Analyzer: add an aws.accessanalyzer.Analyzer (type "
                "ACCOUNT or ORGANIZATION)",
            )
    trails = by_type_.get(TRAIL, [])
    if not trails:
        yield (
            stack,
            "no multi-Region trail logs read and write management events: add an "
            "aws.cloudtrail.Trail (the account-wide audit trail)",
        )
    elif not any(_logs_management_events(t) for t in trails):
        yield (
            _first(trails).urn,
            "no multi-Region trail logs read and write management events: set "
            "is_multi_region_trail and enable_logging to True and log all read and write "
            "management events",
        )
    blocks = by_type_.get(S3_ACCOUNT_PAB, [])
    if not blocks:
        yield (
            stack,
            "the account's S3 public-access block is missing: add an "
            "aws.s3.AccountPublicAccessBlock with all four flags True",
        )
    elif not any(all(truthy(b.props.get(f)) for f in PAB_FLAGS) for b in blocks):
        block = _first(blocks)
        off = [f for f in PAB_FLAGS if not truthy(block.props.get(f))]
        yield (
            block.urn,
            f"the account's S3 public-access block is not fully on: set {', '.join(off)} to True",
        )
    if not by_type_.get(PASSWORD_POLICY):
        yield (
            stack,
            "the account has no IAM password policy: add an aws.iam.AccountPasswordPolicy "
            "(audit.ownAccountHygiene.passwordPolicy)",
        )


POLICIES = [
    stack_policy(
        "account-baseline",
        "A10: the stack that owns the account baseline declares all of it: Config recording "
        "everything, GuardDuty, EBS default encryption, Systems Manager automation logging and "
        "document-sharing block, IAM Access Analyzer (in each of its regions), a multi-Region "
        "management-event trail, the S3 account public-access block and the password policy.",
        MANDATORY,
        _baseline,
        Meta(
            category="account",
            requirements=("A10", "P5"),
            controls=(
                "CloudTrail.1",
                "GuardDuty.1",
                "EC2.7",
                "S3.1",
                "SSM.6",
                "SSM.7",
                "IAM.28",
            ),
            partial={
                "Config.1": "recording, its status and the delivery channel are checked; AWS "
                "also expects the recorder to use the service-linked role",
                "IAM.7": "the password policy must exist; its values are the "
                "iam-password-policy policy's",
            },
            remediation=(
                "In the one stack that owns the account (audit.ownsAccountBaseline), declare "
                "each missing part the message names, in every region of the stack."
            ),
        ),
    ),
    resource_policy(
        "iam-password-policy",
        "P3: the account password policy requires all character classes, 14 characters or "
        "more, and remembers the last 24 passwords.",
        MANDATORY,
        by_type({PASSWORD_POLICY: password_policy_problems}),
        Meta(
            category="iam",
            requirements=("P3", "A10"),
            controls=("IAM.7", "IAM.15", "IAM.16"),
            remediation=(
                "Set require_uppercase_characters, require_lowercase_characters, "
                "require_numbers and require_symbols True, minimum_password_length >= 14 and "
                "password_reuse_prevention = 24."
            ),
        ),
    ),
    resource_policy(
        "iam-user-policies",
        "P3: users get permissions only through groups or roles, never policies of their own.",
        MANDATORY,
        by_type(
            dict.fromkeys(
                (
                    "aws:iam/userPolicy:UserPolicy",
                    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                    "aws:iam/policyAttachment:PolicyAttachment",
                    USER_EXCLUSIVE_ATTACHMENTS,
                ),
                user_permission_problems,
            )
        ),
        Meta(
            category="iam",
            requirements=("P3",),
            controls=("IAM.2",),
            remediation=(
                "Move the user's policies to a group (aws.iam.GroupPolicy or "
                "GroupPolicyAttachment) and add the user to it."
            ),
        ),
    ),
]
