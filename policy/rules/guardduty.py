"""GuardDuty protection plans (GuardDuty.5-13, A10): what every enabled detector turns on for
its own account, and, in an organization's delegated administrator account, for the member
accounts (Security Hub fails the plan's control there while a member has it off)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, StackValidationArgs

from ..effective import Effective, EffectiveView
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

# --------------------------------------------------------------------------------------------
# GuardDuty protection plans (GuardDuty.5-13)


def _organization_plans(detector: Any, effective: Effective) -> Iterator[tuple[str, str]]:
    """GuardDuty.5-13 in the delegated administrator account fail while a member account has
    the plan off (Security Hub's GuardDuty controls: "in a multi-account environment, the
    control fails if the delegated GuardDuty administrator account and all member accounts
    don't have" it enabled). What the administrator's detector sets for its members: each
    plan's OrganizationConfigurationFeature auto-enabled for ALL accounts, each
    MemberDetectorFeature ENABLED, and the legacy `datasources` of OrganizationConfiguration
    not turned off."""
    for part in effective.of(ORG_FEATURE):
        name = str(part.props.get("name"))
        if name in GUARDDUTY_FEATURES and part.props.get("autoEnable") != "ALL":
            yield (
                part.urn,
                f"GuardDuty detector {detector.name}: {part.name} auto-enables {name} "
                f"({GUARDDUTY_FEATURES[name]}) for {part.props.get('autoEnable')!r} member "
                "accounts: set auto_enable='ALL' (the control fails while a member has it off)",
            )
        agents = {
            str(c.get("name")): c.get("autoEnable")
            for c in as_list(part.props.get("additionalConfigurations"))
        }
        off = [
            f"{agent} ({control})"
            for agent, control in GUARDDUTY_AGENTS.items()
            if agent in agents and agents[agent] != "ALL"
        ]
        if off:
            yield (
                part.urn,
                f"GuardDuty detector {detector.name}: {part.name} does not auto-enable "
                f"{', '.join(off)} for all member accounts: set auto_enable='ALL' in each "
                "additional configuration",
            )
    for part in effective.of(MEMBER_FEATURE):
        name = str(part.props.get("name"))
        account = part.props.get("accountId")
        if name in GUARDDUTY_FEATURES and part.props.get("status") != "ENABLED":
            yield (
                part.urn,
                f"GuardDuty detector {detector.name}: {part.name} sets {name} "
                f"({GUARDDUTY_FEATURES[name]}) of member account {account} to status "
                f"{part.props.get('status')!r}: set status='ENABLED'",
            )
        agents = {
            str(c.get("name")): c.get("status")
            for c in as_list(part.props.get("additionalConfigurations"))
        }
        off = [
            f"{agent} ({control})"
            for agent, control in GUARDDUTY_AGENTS.items()
            if agent in agents and agents[agent] != "ENABLED"
        ]
        if off:
            yield (
                part.urn,
                f"GuardDuty detector {detector.name}: {part.name} leaves {', '.join(off)} off "
                f"in member account {account}: set each additional configuration's status "
                "ENABLED",
            )
    for part in effective.of(ORG_CONFIGURATION):
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
    for effective in EffectiveView(args.resources).of_type([DETECTOR]):
        detector = effective.resource
        if detector.props.get("enable") is False:
            continue
        features: dict[str, Any] = {}
        for part in effective.of(DETECTOR_FEATURE):
            features.setdefault(str(part.props.get("name")), part)
        missing = [
            f"{name} ({control})"
            for name, control in GUARDDUTY_FEATURES.items()
            if name not in features
        ]
        for name, control in GUARDDUTY_FEATURES.items():
            part = features.get(name)
            if part is not None and part.props.get("status") != "ENABLED":
                yield (
                    part.urn,
                    f"GuardDuty detector {detector.name}: {part.name} sets {name} ({control}) "
                    f"to status {part.props.get('status')!r}: set status='ENABLED'",
                )
        runtime = features.get("RUNTIME_MONITORING") or features.get("EKS_RUNTIME_MONITORING")
        if runtime is None:
            missing += [f"{name} ({control})" for name, control in GUARDDUTY_AGENTS.items()]
        else:
            agents = {
                str(c.get("name")): c.get("status")
                for c in as_list(runtime.props.get("additionalConfigurations"))
            }
            off = [
                f"{name} ({control})"
                for name, control in GUARDDUTY_AGENTS.items()
                if agents.get(name) != "ENABLED"
            ]
            if off:
                yield (
                    runtime.urn,
                    f"GuardDuty detector {detector.name}: {runtime.name} leaves runtime agents "
                    f"off: {', '.join(off)}; set each in additional_configurations with status "
                    "ENABLED",
                )
        yield from _organization_plans(detector, effective)
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
