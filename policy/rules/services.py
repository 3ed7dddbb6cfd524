"""Edge and shared services: WAF web ACLs and rules (v2 and Classic), ACM certificates,
EventBridge buses, Route 53 public zones and Systems Manager documents, against the Security
Hub FSBP controls (P3, P4, P5, P12)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..effective import view_of
from .common import as_list, by_type, get, resource_policy, stack_policy
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
# ACM.2: RSA keys shorter than 2048 bits.
WEAK_KEY_ALGORITHMS = frozenset({"RSA_1024"})


# --------------------------------------------------------------------------------------------
# WAF (WAF.1-4, WAF.6-8 Classic; WAF.10, WAF.12 v2)


WEB_ACL = "aws:wafv2/webAcl:WebAcl"
# The split resources that add a rule to a WAFv2 web ACL (each one rule with its own
# visibility_config), from the split-type inventory.
WEB_ACL_RULE_TYPES = (
    "aws:wafv2/webAclRule:WebAclRule",
    "aws:wafv2/webAclRuleGroupAssociation:WebAclRuleGroupAssociation",
)


def _json_rules(props: Any) -> list[dict[str, Any]] | None:
    """A web ACL's `rule_json` (the API's Rules, as JSON) in the shape of its inline `rules`;
    None when there is none or it is no JSON list (the provider refuses that at deploy)."""
    text = props.get("ruleJson")
    try:
        parsed = json.loads(text) if isinstance(text, str) and text.strip() else None
    except ValueError:
        return None
    if not isinstance(parsed, list):
        return None
    return [
        {
            "name": rule.get("Name"),
            "visibilityConfig": {
                "cloudwatchMetricsEnabled": get(
                    rule, "VisibilityConfig", "CloudWatchMetricsEnabled"
                )
            },
        }
        for rule in parsed
        if isinstance(rule, dict)
    ]


def _waf_v2_rules(args: ResourceValidationArgs) -> Iterator[str]:
    yield from _metrics(as_list(args.props.get("rules")) + (_json_rules(args.props) or []))


def _waf_v2_split_rule(args: ResourceValidationArgs) -> Iterator[str]:
    name = args.props.get("name") or args.props.get("ruleName") or args.name
    yield from _metrics([{"name": name, "visibilityConfig": args.props.get("visibilityConfig")}])


def _web_acls_without_rules(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    # WAF.10 is judged on the web ACL's configuration item, which lists the rules that
    # aws.wafv2.WebAclRule and WebAclRuleGroupAssociation add as well as the inline ones.
    for effective in view_of(args.resources).of_type([WEB_ACL]):
        acl = effective.resource
        from_json = _json_rules(acl.props)
        # Unparseable rule_json fails the deploy on its own; it is not judged as no rules.
        if (
            as_list(acl.props.get("rules"))
            or from_json
            or (from_json is None and acl.props.get("ruleJson"))
        ):
            continue
        if not effective.parts_of_all(WEB_ACL_RULE_TYPES):
            yield (
                acl.urn,
                f"web ACL {acl.name} has no rules: add managed rule groups and a rate-based "
                "rule (inline `rules`, or aws.wafv2.WebAclRule / WebAclRuleGroupAssociation)",
            )


def _metrics(rules: list[Any]) -> Iterator[str]:
    for rule in rules:
        if get(rule, "visibilityConfig", "cloudwatchMetricsEnabled") is not True:
            yield (
                f"rule {rule.get('name')!r} sends no CloudWatch metrics: set "
                "visibility_config.cloudwatch_metrics_enabled=True"
            )


def _waf_classic_acl(args: ResourceValidationArgs) -> Iterator[str]:
    if not as_list(args.props.get("rules")):
        yield "the WAF Classic web ACL has no rules: add rules or rule groups (or move to WAFv2)"
    if args.resource_type == "aws:waf/webAcl:WebAcl" and not args.props.get("loggingConfiguration"):
        yield "the WAF Classic web ACL does not log: set logging_configuration (or move to WAFv2)"


def _waf_classic_rule(args: ResourceValidationArgs) -> Iterator[str]:
    if not as_list(args.props.get("predicates")):
        yield "the WAF Classic rule has no condition: add predicates (or move to WAFv2)"


def _waf_classic_rule_group(args: ResourceValidationArgs) -> Iterator[str]:
    if not as_list(args.props.get("activatedRules")):
        yield "the WAF Classic rule group has no rules: add activated rules (or move to WAFv2)"


# --------------------------------------------------------------------------------------------
# ACM (ACM.2), Systems Manager documents (SSM.4)


def _certificate(args: ResourceValidationArgs) -> Iterator[str]:
    algorithm = args.props.get("keyAlgorithm")
    if algorithm in WEAK_KEY_ALGORITHMS:
        yield f"keyAlgorithm is {algorithm}: use RSA_2048 or stronger, or an EC key"


def _document(args: ResourceValidationArgs) -> Iterator[str]:
    # A map input: its keys reach the provider as written (account_ids, not accountIds).
    permissions = args.props.get("permissions") or {}
    accounts = [a.strip().lower() for a in str(permissions.get("account_ids") or "").split(",")]
    if "all" in accounts:
        yield "permissions share the document with All accounts: share with named account IDs"


# --------------------------------------------------------------------------------------------
# EventBridge buses (EventBridge.3), Route 53 public zones (Route53.2)


EVENT_BUS = "aws:cloudwatch/eventBus:EventBus"
EVENT_BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
ZONE = "aws:route53/zone:Zone"
QUERY_LOG = "aws:route53/queryLog:QueryLog"


def _event_buses(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    for effective in view_of(args.resources).of_type([EVENT_BUS]):
        if not effective.of(EVENT_BUS_POLICY):
            bus = effective.resource
            yield (
                bus.urn,
                f"event bus {bus.name} has no resource policy: add an "
                "aws.cloudwatch.EventBusPolicy naming who may put events on it",
            )


def _query_logging(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    for effective in view_of(args.resources).of_type([ZONE]):
        zone = effective.resource
        if as_list(zone.props.get("vpcs")):
            continue  # Private zones log through Resolver query logging instead.
        if not effective.of(QUERY_LOG):
            yield (
                zone.urn,
                f"public hosted zone {zone.name} does not log DNS queries: add an "
                "aws.route53.QueryLog to a us-east-1 log group named /aws/route53/...",
            )


POLICIES = [
    stack_policy(
        "waf-web-acl-rules",
        "P4: every WAFv2 web ACL has a rule or rule group, inline or added by "
        "aws.wafv2.WebAclRule / WebAclRuleGroupAssociation.",
        MANDATORY,
        _web_acls_without_rules,
        Meta(
            category="network",
            requirements=("P4", "C9"),
            controls=("WAF.10",),
            remediation=(
                "Give the web ACL managed rule groups and a rate-based rule, in its `rules` or "
                "as aws.wafv2.WebAclRule / WebAclRuleGroupAssociation resources naming its ARN."
            ),
        ),
    ),
    resource_policy(
        "waf-rules",
        "P4: every WAFv2 rule (in a web ACL, a rule group, a WebAclRule or a "
        "WebAclRuleGroupAssociation) publishes CloudWatch metrics; WAF Classic web ACLs and "
        "rule groups have rules, rules have conditions and global web ACLs log.",
        MANDATORY,
        by_type(
            {
                WEB_ACL: _waf_v2_rules,
                "aws:wafv2/ruleGroup:RuleGroup": _waf_v2_rules,
                **dict.fromkeys(WEB_ACL_RULE_TYPES, _waf_v2_split_rule),
                "aws:waf/webAcl:WebAcl": _waf_classic_acl,
                "aws:wafregional/webAcl:WebAcl": _waf_classic_acl,
                "aws:waf/rule:Rule": _waf_classic_rule,
                "aws:wafregional/rule:Rule": _waf_classic_rule,
                "aws:waf/ruleGroup:RuleGroup": _waf_classic_rule_group,
                "aws:wafregional/ruleGroup:RuleGroup": _waf_classic_rule_group,
            }
        ),
        Meta(
            category="network",
            requirements=("P4", "C9"),
            controls=("WAF.12", "WAF.1", "WAF.2", "WAF.3", "WAF.4", "WAF.6", "WAF.7", "WAF.8"),
            remediation=(
                "Set visibility_config.cloudwatch_metrics_enabled=True on every WAFv2 rule. WAF "
                "Classic reached end of support in 2025: move its web ACLs, rules and rule "
                "groups to WAFv2."
            ),
        ),
    ),
    resource_policy(
        "acm-certificate-keys",
        "P6: ACM certificates use RSA keys of 2048 bits or more, or EC keys.",
        MANDATORY,
        by_type({"aws:acm/certificate:Certificate": _certificate}),
        Meta(
            category="transport",
            requirements=("P6", "C2"),
            partial={
                "ACM.2": "the key algorithm of requested certificates is checked; an imported "
                "certificate's key size is not read from its PEM",
            },
            remediation="Request the certificate with key_algorithm RSA_2048 (or EC_prime256v1).",
        ),
    ),
    resource_policy(
        "ssm-document-sharing",
        "P3: Systems Manager documents are never shared with all accounts.",
        MANDATORY,
        by_type({"aws:ssm/document:Document": _document}),
        Meta(
            category="iam",
            requirements=("P3",),
            controls=("SSM.4",),
            remediation="Share documents with named account IDs in permissions.account_ids.",
        ),
    ),
    stack_policy(
        "eventbridge-bus-policies",
        "P3: custom EventBridge buses have a resource policy.",
        MANDATORY,
        _event_buses,
        Meta(
            category="iam",
            requirements=("P3",),
            controls=("EventBridge.3",),
            remediation="Add an aws.cloudwatch.EventBusPolicy for the bus.",
        ),
    ),
    stack_policy(
        "route53-query-logging",
        "P5: public hosted zones log DNS queries.",
        MANDATORY,
        _query_logging,
        Meta(
            category="logging",
            requirements=("P5",),
            controls=("Route53.2",),
            remediation=(
                "Add an aws.route53.QueryLog for the zone, to a CloudWatch Logs group in "
                "us-east-1 whose resource policy admits route53.amazonaws.com."
            ),
        ),
    ),
]
