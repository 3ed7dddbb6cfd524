"""A regional web application firewall in front of an internet-facing load balancer (C9)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .logs import encrypted_log_group
from .naming import child_name, name_tag, token

# AWS managed rule groups (vendor AWS), in evaluation order: OWASP-style common rules, known
# bad inputs (Log4Shell and friends), Amazon's IP reputation list, SQL injection (AWS WAF
# Developer Guide, "AWS Managed Rules rule groups list").
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
)
# WAF logs to CloudWatch Logs only into groups named aws-waf-logs-* (WebAclLoggingConfiguration).
WAF_LOG_GROUP_PREFIX = "aws-waf-logs-"
# Headers that carry credentials stay out of the logs.
REDACTED_HEADERS = ("authorization", "cookie")


@dataclass
class WebFirewallArgs:
    """Arguments of `WebFirewall`."""

    load_balancer_arn: pulumi.Input[str]
    """The internet-facing load balancer the web ACL protects."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the WAF log group."""
    log_retention_days: int
    block: bool = True
    """Block what the rules match; False only counts (to tune rules before enforcing)."""
    rate_limit: int = 2000
    """Requests per client IP and `rate_window_seconds` before the rate rule acts."""
    rate_window_seconds: int = 300


class WebFirewall(pulumi.ComponentResource):
    """A REGIONAL WAFv2 web ACL with AWS's managed rule groups and a per-IP rate limit,
    associated with the load balancer and logging to a CMK-encrypted log group."""

    web_acl: aws.wafv2.WebAcl
    log_group: aws.cloudwatch.LogGroup

    def __init__(
        self, name: str, args: WebFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("edge", "WebFirewall"), name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        metric = name.replace(".", "-")
        rules = [
            aws.wafv2.WebAclRuleArgs(
                name=group,
                priority=10 * (index + 1),
                # `none` keeps each group's own actions (block); `count` only counts.
                override_action=aws.wafv2.WebAclRuleOverrideActionArgs(
                    none={} if args.block else None, count=None if args.block else {}
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                        name=group, vendor_name="AWS"
                    )
                ),
                visibility_config=_visibility(f"{metric}-{group}"),
            )
            for index, group in enumerate(MANAGED_RULE_GROUPS)
        ]
        rules.append(
            aws.wafv2.WebAclRuleArgs(
                name="rate-limit-per-ip",
                priority=10 * (len(MANAGED_RULE_GROUPS) + 1),
                action=aws.wafv2.WebAclRuleActionArgs(
                    block={} if args.block else None, count=None if args.block else {}
                ),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=args.rate_limit,
                        aggregate_key_type="IP",
                        evaluation_window_sec=args.rate_window_seconds,
                    )
                ),
                visibility_config=_visibility(f"{metric}-rate-limit"),
            )
        )
        acl_name = child_name(name, "waf")
        self.web_acl = aws.wafv2.WebAcl(
            acl_name,
            scope="REGIONAL",
            description=f"{name}: AWS managed rules and a per-IP rate limit",
            default_action=aws.wafv2.WebAclDefaultActionArgs(allow={}),
            rules=rules,
            visibility_config=_visibility(f"{metric}-web-acl"),
            tags=name_tag(acl_name),
            opts=child,
        )
        aws.wafv2.WebAclAssociation(
            acl_name,
            resource_arn=args.load_balancer_arn,
            web_acl_arn=self.web_acl.arn,
            opts=child,
        )
        log_name = child_name(name, "waf-logs")
        self.log_group = encrypted_log_group(
            log_name,
            kms_key_arn=args.logs_key_arn,
            retention_days=args.log_retention_days,
            parent=self,
            log_group_name=f"{WAF_LOG_GROUP_PREFIX}{log_name}",
        )
        aws.wafv2.WebAclLoggingConfiguration(
            acl_name,
            resource_arn=self.web_acl.arn,
            # The log group's `arn` carries no `:*` suffix, which WAF would refuse.
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[
                aws.wafv2.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=aws.wafv2.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(
                        name=header
                    )
                )
                for header in REDACTED_HEADERS
            ],
            opts=child,
        )
        self.register_outputs({"web_acl_arn": self.web_acl.arn, "log_group": self.log_group.name})


def _visibility(metric: str) -> aws.wafv2.WebAclVisibilityConfigArgs:
    # Metric names: letters, digits, '-' and '_', at most 128 (WAF VisibilityConfig).
    return aws.wafv2.WebAclVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True, metric_name=metric[:128], sampled_requests_enabled=True
    )
