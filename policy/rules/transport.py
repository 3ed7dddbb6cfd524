"""P6 transport: TLS 1.2+ on HTTPS listeners, HTTP listeners only redirect, TLS-only buckets."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, ResourceValidationArgs, StackValidationArgs

from ..awsfacts.elb import tls12_policies
from ..effective import view_of
from .buckets import bucket_configs
from .common import (
    as_list,
    get,
    parse_document,
    principals,
    resource_policy,
    stack_policy,
    statements,
)
from .metadata import Meta

MANDATORY = EnforcementLevel.MANDATORY
LISTENER_TYPES = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"
# Every Elastic Load Balancing security policy whose lowest protocol is TLS 1.2.
DEFAULT_TLS_POLICIES = tls12_policies()


def _listener(args: ResourceValidationArgs) -> Iterator[str]:
    if args.resource_type not in LISTENER_TYPES:
        return
    props = args.props
    protocol = str(props.get("protocol") or "").upper()
    if protocol in ("HTTPS", "TLS"):
        allowed = [str(p) for p in as_list(args.get_config().get("allowedTlsPolicies"))]
        policy = props.get("sslPolicy")
        if policy not in allowed:
            yield (
                f"sslPolicy={policy!r} is not an allowed TLS 1.2+ policy: set sslPolicy to one "
                f"of {', '.join(allowed[:3])}, ... (allowedTlsPolicies)"
            )
    elif protocol == "HTTP":
        actions = as_list(props.get("defaultActions"))
        for index, action in enumerate(actions):
            if not _redirects_to_https(action):
                yield (
                    f"defaultActions[{index}] of an HTTP listener is {action.get('type')!r}: "
                    f"{ONLY_REDIRECT}"
                )
        if not actions:
            yield "HTTP listener has no defaultActions: redirect to HTTPS"


ONLY_REDIRECT = (
    "HTTP listeners must only redirect to HTTPS (type 'redirect', redirect.protocol 'HTTPS', "
    "statusCode 'HTTP_301')"
)
LISTENER_RULE_TYPES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")


def _redirects_to_https(action: Any) -> bool:
    redirect = get(action, "redirect", default={})
    return action.get("type") == "redirect" and str(redirect.get("protocol")).upper() == "HTTPS"


def _http_listener_rules(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    # ELB.1's Config rule (alb-http-to-https-redirection-check) fails an HTTP listener when
    # any of its rules, not only the default action, does something other than redirect: the
    # rule's specification (awslabs/aws-config-rules#204, scenario 3) and AWS support's answer
    # in kubernetes-sigs/aws-load-balancer-controller#1147. (AWS's earlier community version
    # read only the default actions; the managed rule is the one Security Hub runs.)
    for effective in view_of(args.resources).of_type(LISTENER_TYPES):
        listener = effective.resource
        if str(listener.props.get("protocol") or "").upper() != "HTTP":
            continue
        for rule in effective.parts_of_all(LISTENER_RULE_TYPES):
            for index, action in enumerate(as_list(rule.props.get("actions"))):
                if not _redirects_to_https(action):
                    yield (
                        rule.urn,
                        f"actions[{index}] of rule {rule.name} on HTTP listener {listener.name} "
                        f"is {action.get('type')!r}: {ONLY_REDIRECT}; set the action to "
                        "redirect, or move the rule to the HTTPS listener",
                    )


def denies_insecure_transport(document: Mapping[str, Any] | None) -> bool:
    """Whether a bucket policy denies every request with aws:SecureTransport false: a Deny of
    s3:* (or *) to every principal, as AWS's S3.5 remediation writes it (a narrower denial,
    of s3:PutObject alone or to one role, leaves other plain-HTTP requests allowed)."""
    for statement in statements(document):
        if statement.get("Effect") != "Deny":
            continue
        actions = {str(a).lower() for a in as_list(statement.get("Action"))}
        if not actions & {"s3:*", "*"} or "*" not in principals(statement):
            continue
        condition = statement.get("Condition") or {}
        for block in condition.values() if isinstance(condition, Mapping) else ():
            if not isinstance(block, Mapping):
                continue
            for key, value in block.items():
                if str(key).lower() == "aws:securetransport" and "false" in [
                    str(v).lower() for v in as_list(value)
                ]:
                    return True
    return False


def _tls_only_buckets(args: StackValidationArgs) -> Iterator[tuple[str, str]]:
    for effective in bucket_configs(args.resources):
        bucket = effective.resource
        # The bucket's BucketPolicy resources, and its inline (deprecated) `policy` argument.
        holders = [*effective.of(BUCKET_POLICY_TYPE)]
        if bucket.props.get("policy"):
            holders.append(bucket)
        documents = [parse_document(p.props.get("policy")) for p in holders]
        if any(denies_insecure_transport(d) for d in documents):
            continue
        label = bucket.props.get("bucket") or bucket.name
        if not holders:
            yield (
                bucket.urn,
                f"bucket {label} has no bucket policy denying aws:SecureTransport=false: add a "
                "BucketPolicy with a statement of Effect Deny, Action s3:*, Condition Bool "
                "aws:SecureTransport 'false'",
            )
        for holder in holders:
            # The policy exists: the finding names the resource whose document lacks the
            # statement (the BucketPolicy, or the bucket's inline `policy`).
            where = "inline `policy`" if holder is bucket else f"BucketPolicy {holder.name}"
            yield (
                holder.urn,
                f"bucket {label}'s {where} has no statement denying aws:SecureTransport=false: "
                "add one to it with Effect Deny, Action s3:*, Condition Bool "
                "aws:SecureTransport 'false'",
            )


POLICIES = [
    resource_policy(
        "listener-tls",
        "P6: HTTPS/TLS listeners use an allowed TLS 1.2+ security policy; HTTP listeners only "
        "redirect to HTTPS.",
        MANDATORY,
        _listener,
        config={
            "allowedTlsPolicies": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Load balancer security policies accepted on HTTPS listeners.",
                "default": DEFAULT_TLS_POLICIES,
            }
        },
        meta=Meta(
            category="transport",
            requirements=("P6",),
            controls=("ELB.1", "ELB.17"),
            partial={
                "ELB.18": "HTTP listeners whose only action redirects to HTTPS are accepted; AWS's "
                "control fails every HTTP listener",
            },
            remediation=(
                "Give HTTPS and TLS listeners a TLS 1.2+ security policy from allowedTlsPolicies "
                "(ELBSecurityPolicy-TLS13-1-2-2021-06 or stricter), and make HTTP listeners only "
                "redirect to HTTPS with HTTP_301."
            ),
        ),
    ),
    stack_policy(
        "http-listener-rules",
        "P6: the rules of an HTTP listener (aws.lb.ListenerRule) only redirect to HTTPS, as its "
        "default action does.",
        MANDATORY,
        _http_listener_rules,
        Meta(
            category="transport",
            requirements=("P6",),
            controls=("ELB.1",),
            remediation=(
                "Give every ListenerRule of an HTTP listener a redirect action to HTTPS "
                "(HTTP_301), or attach the rule to the HTTPS listener instead."
            ),
        ),
    ),
    stack_policy(
        "s3-bucket-tls-only",
        "P6: every S3 bucket has a bucket policy denying requests without TLS "
        "(aws:SecureTransport false).",
        MANDATORY,
        _tls_only_buckets,
        meta=Meta(
            category="transport",
            requirements=("P6",),
            controls=("S3.5",),
            remediation=(
                "Add a bucket policy statement: Effect Deny, Principal '*', Action s3:*, Resource "
                "the bucket and its objects, Condition Bool aws:SecureTransport 'false'."
            ),
        ),
    ),
]
