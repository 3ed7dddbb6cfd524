"""GuardDuty protection plans (GuardDuty.5-13, A10): what every enabled detector turns on for
its own account, and, in an organization's delegated administrator account, for the member
accounts (Security Hub fails the plan's control there while a member has it off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationArgs

from ..effective import view_of
from .account import DETECTOR
from .common import as_list, get, stack_policy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
DETECTOR_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
ORG_CONFIGURATION = "aws:guardduty/organizationConfiguration:OrganizationConfiguration"
ORG_FEATURE = "aws:guardduty/organizationConfigurationFeature:OrganizationConfigurationFeature"
MEMBER_FEATURE = "aws:guardduty/memberDetectorFeature:MemberDetectorFeature"
# The deprecated `datasources` of an OrganizationConfiguration: (path, plan, control). Source:
# pulumi-aws OrganizationConfigurationDatasources*Args (each flag auto-enables a plan).
LEGACY_DATASOURCES = (
    (("s3Logs", "autoEnable"), "S3_DATA_EVENTS", "GuardDuty.10"),
    (("kubernetes", "auditLogs", "enable"), "EKS_AUDIT_LOGS", "GuardDuty.5"),
    (
        ("malwareProtection", "scanEc2InstanceWithFindings", "ebsVolumes", "autoEnable"),
        "EBS_MALWARE_PROTECTION",
        "GuardDuty.8",
    ),
)
# GuardDuty protection plans (GuardDuty.5-13): detector feature -> control, and the runtime
# monitoring agents AWS manages (additional configuration of RUNTIME_MONITORING).
GUARDDUTY_FEATURES = {
    "EKS_AUDIT_LOGS": "GuardDuty.5",
    "LAMBDA_NETWORK_LOGS": "GuardDuty.6",
    "EBS_MALWARE_PROTECTION": "GuardDuty.8",
    "RDS_LOGIN_EVENTS": "GuardDuty.9",
    "S3_DATA_EVENTS": "GuardDuty.10",
    "RUNTIME_MONITORING": "GuardDuty.11",
}
GUARDDUTY_AGENTS = {
    "EKS_ADDON_MANAGEMENT": "GuardDuty.7",
    "ECS_FARGATE_AGENT_MANAGEMENT": "GuardDuty.12",
    "EC2_AGENT_MANAGEMENT": "GuardDuty.13",
}
RUNTIME_FEATURES = frozenset({"RUNTIME_MONITORING", "EKS_RUNTIME_MONITORING"})

# What each feature type sets and to what: (property, wanted value, whose plan it is). A
# detector's own features; in a delegated administrator account, the members' (GuardDuty.5-13
# fail there while a member has the plan off: Security Hub's GuardDuty controls, "in a
# multi-account environment, the control fails if the delegated GuardDuty administrator account
# and all member accounts don't have" it enabled).
FEATURE_SETTINGS = {
    DETECTOR_FEATURE: ("status", "ENABLED", ""),
    ORG_FEATURE: ("autoEnable", "ALL", " for member accounts"),
    MEMBER_FEATURE: ("status", "ENABLED", " of member account {accountId}"),
}
SNAKE = {"status": "status", "autoEnable": "auto_enable"}


def _feature_problems(detector: Any, part: Any) -> Iterator[tuple[str, str]]:
    """A feature resource that sets a plan, or a runtime agent it lists, to other than on."""
    key, wanted, scope = FEATURE_SETTINGS[part.resource_type]
    scope = scope.format(accountId=part.props.get("accountId"))
    setting = f"{SNAKE[key]}={wanted!r}"
    name, value = str(part.props.get("name")), part.props.get(key)
    if name in GUARDDUTY_FEATURES and value != wanted:
        # NEW leaves the accounts that were members before without the plan, unless each has
        # a MemberDetectorFeature; the control judges every member.
        why = " (only members that join later get it)" if value == "NEW" else ""
        yield (
            part.urn,
            f"GuardDuty detector {detector.name}: {part.name} sets {name} "
            f"({GUARDDUTY_FEATURES[name]}){scope} to {SNAKE[key]} {value!r}{why}: set {setting}",
        )
    if name not in RUNTIME_FEATURES or (
        # A detector's own EKS_RUNTIME_MONITORING is to be replaced (its own finding).
        name == "EKS_RUNTIME_MONITORING" and part.resource_type == DETECTOR_FEATURE
    ):
        return
    agents = {
        str(c.get("name")): c.get(key) for c in as_list(part.props.get("additionalConfigurations"))
    }
    # A detector's own runtime feature, and the organization's, must list every agent (one
    # not listed stays off); a member feature sets only those it lists (the rest keep what
    # the organization feature gives the member).
    every = part.resource_type != MEMBER_FEATURE
    off = [
        f"{agent} ({control})"
        for agent, control in GUARDDUTY_AGENTS.items()
        if (every or agent in agents) and agents.get(agent) != wanted
    ]
    if off:
        yield (
            part.urn,
            f"GuardDuty detector {detector.name}: {part.name} leaves runtime agents "
            f"{', '.join(off)} off{scope}: set {setting} for each in additional_configurations",
        )


def _legacy_datasources(detector: Any, part: Any) -> Iterator[tuple[str, str]]:
    off = [
        f"{label} ({control})"
        for path, label, control in LEGACY_DATASOURCES
        if get(part.props, "datasources", *path) is False
    ]
    if off:
        yield (
            part.urn,
            f"GuardDuty detector {detector.name}: {part.name}'s datasources turn "
            f"{', '.join(off)} off for member accounts: set them true, or better drop the "
            "deprecated datasources for aws.guardduty.OrganizationConfigurationFeature "
            "resources with auto_enable='ALL'",
        )


def _protection_plans(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    # A plan no DetectorFeature sets is reported on the detector ("add"); one a feature sets
    # off, on that feature ("set"); runtime agents on the RUNTIME_MONITORING feature.
    for effective in view_of(args.resources).of_type([DETECTOR]):
        detector = effective.resource
        if detector.props.get("enable") is False:
            continue
        features: dict[str, Any] = {}
        for part in effective.of(DETECTOR_FEATURE):
            features.setdefault(str(part.props.get("name")), part)
        # The older EKS_RUNTIME_MONITORING cannot sit beside RUNTIME_MONITORING (the provider
        # refuses both), so the fix is a replacement, not an addition.
        eks_only = "EKS_RUNTIME_MONITORING" in features and "RUNTIME_MONITORING" not in features
        if eks_only:
            legacy = features["EKS_RUNTIME_MONITORING"]
            yield (
                legacy.urn,
                f"GuardDuty detector {detector.name}: {legacy.name} is EKS_RUNTIME_MONITORING, "
                "which covers EKS only: replace it with RUNTIME_MONITORING (GuardDuty.11), with "
                "the agents EKS_ADDON_MANAGEMENT (GuardDuty.7), ECS_FARGATE_AGENT_MANAGEMENT "
                "(GuardDuty.12) and EC2_AGENT_MANAGEMENT (GuardDuty.13) ENABLED as its "
                "additional configurations",
            )
        missing = [
            f"{name} ({control})"
            for name, control in GUARDDUTY_FEATURES.items()
            if name not in features and not (name == "RUNTIME_MONITORING" and eks_only)
        ]
        if not features.keys() & RUNTIME_FEATURES:
            missing += [f"{name} ({control})" for name, control in GUARDDUTY_AGENTS.items()]
        for part in effective.parts_of_all(FEATURE_SETTINGS):
            yield from _feature_problems(detector, part)
        for part in effective.of(ORG_CONFIGURATION):
            yield from _legacy_datasources(detector, part)
        if missing:
            yield (
                detector.urn,
                f"GuardDuty detector {detector.name} leaves protection plans off: "
                f"{', '.join(missing)}; add aws.guardduty.DetectorFeature resources with status "
                "ENABLED (the agents as RUNTIME_MONITORING additional configurations)",
            )


POLICIES = [
    stack_policy(
        "guardduty-protection-plans",
        "A10: every enabled GuardDuty detector turns on the protection plans (EKS audit logs, "
        "Lambda, EBS malware, RDS logins, S3 data events, runtime monitoring with AWS-managed "
        "agents for EKS, ECS Fargate and EC2).",
        MANDATORY,
        _protection_plans,
        Meta(
            category="account",
            requirements=("A10",),
            controls=tuple(
                sorted(
                    {*GUARDDUTY_FEATURES.values(), *GUARDDUTY_AGENTS.values()},
                    key=lambda c: int(c.split(".")[1]),
                )
            ),
            remediation=(
                "Add an aws.guardduty.DetectorFeature with status ENABLED for each plan the "
                "message names; RUNTIME_MONITORING takes the agents as additional "
                "configurations (EKS_ADDON_MANAGEMENT, ECS_FARGATE_AGENT_MANAGEMENT, "
                "EC2_AGENT_MANAGEMENT)."
            ),
        ),
    ),
]
