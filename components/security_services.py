"""Security Hub with its standards and a GuardDuty detector in one region (A10).

Both are account singletons per region ("You can have only one detector per account per
Region"; Security Hub is enabled "for your account in the current Region"), so only the stack
that owns the account baseline creates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .naming import child_name, name_tag, token


@dataclass
class SecurityServicesArgs:
    """Arguments of `SecurityServices`."""

    standards: Sequence[str]
    """Security Hub standards by ARN path (`aws-foundational-security-best-practices/v/1.0.0`)."""
    guard_duty: bool = True


class SecurityServices(pulumi.ComponentResource):
    """Security Hub (consolidated control findings, the configured standards only) and
    GuardDuty in the region of the provider in `opts`."""

    hub: aws.securityhub.Account
    detector: aws.guardduty.Detector | None

    def __init__(
        self, name: str, args: SecurityServicesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("audit", "SecurityServices"), name, None, opts)
        ctx = AccountContext.lookup(self)
        child = pulumi.ResourceOptions(parent=self)
        # The defaults would subscribe to FSBP and CIS 1.2.0; the standards come from config.
        self.hub = aws.securityhub.Account(
            child_name(name, "security-hub"),
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
            opts=child,
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
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.hub], aliases=aliases),
            )
        self.detector = None
        if args.guard_duty:
            detector_name = child_name(name, "guardduty")
            self.detector = aws.guardduty.Detector(
                detector_name,
                enable=True,
                finding_publishing_frequency="FIFTEEN_MINUTES",
                tags=name_tag(detector_name),
                opts=child,
            )
        self.register_outputs(
            {
                "security_hub": self.hub.id,
                "guard_duty_detector": self.detector.id if self.detector else None,
            }
        )
