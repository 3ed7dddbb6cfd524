"""The account baseline's regional services and settings in one region (A10): Security Hub
with its standards, GuardDuty with its protection plans, EBS encryption by default, IAM Access
Analyzer, Systems Manager's automation logging and document-sharing block; and, in the
account-wide region, the account's S3 public-access block.

Each is an account singleton per region (or per account) ("You can have only one detector per
account per Region"; Security Hub is enabled "for your account in the current Region"), so
only the stack that owns the account baseline creates them. An account where one of them was
turned on by hand or by AWS Organizations needs `pulumi import` for it before the first `up`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .logs import encrypted_log_group
from .naming import child_name, name_tag, token

# GuardDuty protection plans (detector features) and the runtime-monitoring agents GuardDuty
# manages, as the GuardDuty API names them (botocore DetectorFeature and
# FeatureAdditionalConfiguration); Security Hub's GuardDuty.5-13 expect each of them on.
GUARDDUTY_FEATURES = (
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "LAMBDA_NETWORK_LOGS",
)
GUARDDUTY_RUNTIME_AGENTS = (
    "EKS_ADDON_MANAGEMENT",
    "ECS_FARGATE_AGENT_MANAGEMENT",
    "EC2_AGENT_MANAGEMENT",
)
# Systems Manager service settings (setting id after `servicesetting`): automation scripts log
# to CloudWatch Logs (SSM.6), documents cannot be shared publicly (SSM.7).
AUTOMATION_LOG_DESTINATION = "/ssm/automation/customer-script-log-destination"
AUTOMATION_LOG_GROUP = "/ssm/automation/customer-script-log-group-name"
DOCUMENT_SHARING = "/ssm/documents/console/public-sharing-permission"


@dataclass
class SecurityServicesArgs:
    """Arguments of `SecurityServices`."""

    standards: Sequence[str]
    """Security Hub standards by ARN path (`aws-foundational-security-best-practices/v/1.0.0`)."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the Systems Manager automation log group."""
    log_retention_days: int
    account_wide: bool
    """The account-wide region: the account's S3 public-access block is created here."""
    guard_duty: bool = True


class SecurityServices(pulumi.ComponentResource):
    """Security Hub (consolidated control findings, the configured standards only), GuardDuty
    and the account's regional settings in the region of the provider in `opts`."""

    hub: aws.securityhub.Account
    detector: aws.guardduty.Detector | None

    def __init__(
        self, name: str, args: SecurityServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("audit", "SecurityServices"), name, None, opts)
        ctx = AccountContext.lookup(self)
        # Account singletons outlive the stack that declared them: a destroy, or moving
        # `ownsAccountBaseline` to another stack, must not turn a control off for every stack
        # of the account (nor delete GuardDuty's findings with its detector). The engine only
        # drops them from the state, and the next owner adopts them with `pulumi import`. A
        # replacement, too, leaves the old one in place.
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        # The defaults would subscribe to FSBP and CIS 1.2.0; the standards come from config.
        self.hub = aws.securityhub.Account(
            child_name(name, "security-hub"),
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
            opts=kept,
        )
        slugs = [standard.split("/")[0] for standard in args.standards]
        for standard, slug in zip(args.standards, slugs, strict=True):
            version = standard.rsplit("/", 1)[-1].replace(".", "-")
            # Two versions of one standard may run side by side during a migration (CIS 1.4.0
            # and 3.0.0), so the version is part of the name. A stack that subscribed before
            # the version was in the name keeps its subscription through the alias, which is
            # only unambiguous while one version of the standard is configured.
            aliases = (
                [pulumi.Alias(name=child_name(name, "standard", slug))]
                if slugs.count(slug) == 1
                else []
            )
            aws.securityhub.StandardsSubscription(
                child_name(name, "standard", slug, version),
                standards_arn=pulumi.Output.concat(
                    "arn:", ctx.partition, ":securityhub:", ctx.region, "::standards/", standard
                ),
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=[self.hub], aliases=aliases, retain_on_delete=True
                ),
            )
        self.detector = self._guard_duty(name) if args.guard_duty else None
        # New EBS volumes are encrypted even where a template forgets to ask (EC2.7).
        aws.ebs.EncryptionByDefault(child_name(name, "ebs-encryption"), enabled=True, opts=kept)
        analyzer_name = child_name(name, "access-analyzer")
        # Analyzer names are not autonamed, and an account holds one account analyzer per
        # region ("Maximum account-level analyzers per analyzer type per AWS account per
        # Region: 1", not adjustable). Kept like the other singletons: a replacement drops the
        # old analyzer from the state first and its create then fails on the quota until the
        # old one is deleted by hand, which never leaves the region without an analyzer.
        aws.accessanalyzer.Analyzer(
            analyzer_name,
            analyzer_name=analyzer_name,
            type="ACCOUNT",
            tags=name_tag(analyzer_name),
            opts=pulumi.ResourceOptions(
                parent=self, delete_before_replace=True, retain_on_delete=True
            ),
        )
        self._systems_manager_settings(name, ctx, args)
        if args.account_wide:
            # One per account (S3.1): no bucket in the account can be made public.
            aws.s3.AccountPublicAccessBlock(
                child_name(name, "s3-account-public-access"),
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=kept,
            )
        self.register_outputs(
            {
                "security_hub": self.hub.id,
                "guard_duty_detector": self.detector.id if self.detector else None,
            }
        )

    def _guard_duty(self, name: str) -> aws.guardduty.Detector:
        """The detector with every protection plan on, runtime monitoring with its agents
        managed by GuardDuty (no agent to install on EC2, ECS Fargate or EKS)."""
        detector_name = child_name(name, "guardduty")
        detector = aws.guardduty.Detector(
            detector_name,
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            tags=name_tag(detector_name),
            # Deleting the detector deletes its findings.
            opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
        )
        # A feature left behind keeps its plan on for the detector that stays.
        kept = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        for feature in GUARDDUTY_FEATURES:
            aws.guardduty.DetectorFeature(
                child_name(detector_name, feature.lower().replace("_", "-")),
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                opts=kept,
            )
        aws.guardduty.DetectorFeature(
            child_name(detector_name, "runtime-monitoring"),
            detector_id=detector.id,
            name="RUNTIME_MONITORING",
            status="ENABLED",
            additional_configurations=[
                aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(
                    name=agent, status="ENABLED"
                )
                for agent in GUARDDUTY_RUNTIME_AGENTS
            ],
            opts=kept,
        )
        return detector

    def _systems_manager_settings(
        self, name: str, ctx: AccountContext, args: SecurityServicesArgs
    ) -> None:
        """Automation scripts log to an encrypted group of ours (SSM.6); documents are never
        shared publicly (SSM.7)."""
        group = encrypted_log_group(
            child_name(name, "ssm-automation"),
            kms_key_arn=args.logs_key_arn,
            retention_days=args.log_retention_days,
            parent=self,
        )

        def setting(suffix: str, key: str, value: pulumi.Input[str]) -> None:
            aws.ssm.ServiceSetting(
                child_name(name, "ssm", suffix),
                # The setting's ARN (arn:<partition>:ssm:<region>:<account>:servicesetting/...).
                setting_id=ctx.arn("ssm", f"servicesetting{key}"),
                setting_value=value,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )

        setting("automation-log-group", AUTOMATION_LOG_GROUP, group.name)
        setting("automation-log-destination", AUTOMATION_LOG_DESTINATION, "CloudWatch")
        setting("document-sharing", DOCUMENT_SHARING, "Disable")
