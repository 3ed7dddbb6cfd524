"""P6 transport: listener TLS policies, HTTP redirects, TLS-only bucket policies."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .helpers import check, doc, provider

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
REDIRECT = {
    "type": "redirect",
    "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"},
}


def test_listeners() -> None:
    def program() -> None:
        opts = provider()
        https = {
            "load_balancer_arn": "arn:lb",
            "port": 443,
            "protocol": "HTTPS",
            "certificate_arn": CERT,
            "opts": opts,
            "default_actions": [{"type": "forward", "target_group_arn": "arn:tg"}],
        }
        aws.lb.Listener("tls13", ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06", **https)
        aws.lb.Listener("fs12", ssl_policy="ELBSecurityPolicy-FS-1-2-Res-2020-10", **https)
        aws.lb.Listener("old", ssl_policy="ELBSecurityPolicy-2016-08", **https)
        aws.lb.Listener("tls11", ssl_policy="ELBSecurityPolicy-TLS-1-1-2017-01", **https)
        aws.lb.Listener(
            "redirect",
            load_balancer_arn="arn:lb",
            port=80,
            protocol="HTTP",
            default_actions=[REDIRECT],
            opts=opts,
        )
        aws.lb.Listener(
            "forward",
            load_balancer_arn="arn:lb",
            port=80,
            protocol="HTTP",
            default_actions=[{"type": "forward", "target_group_arn": "arn:tg"}],
            opts=opts,
        )

    result = check(program, ["listener-tls"])
    assert result.names("listener-tls") == {"old", "tls11", "forward"}
    assert "sslPolicy" in result.messages("listener-tls")
    assert "defaultActions[0]" in result.messages("listener-tls")
    narrowed = check(
        program,
        ["listener-tls"],
        pack_config={
            "listener-tls": {"allowedTlsPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}
        },
    )
    assert narrowed.names("listener-tls") == {"tls13", "fs12", "old", "tls11", "forward"}


def test_buckets_deny_insecure_transport() -> None:
    def program() -> None:
        opts = provider()
        secure = aws.s3.Bucket("secure", opts=opts)
        aws.s3.BucketPolicy(
            "secure-policy",
            bucket=secure.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": {
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [secure.arn, pulumi.Output.concat(secure.arn, "/*")],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                }
            ),
            opts=opts,
        )
        other = aws.s3.Bucket("allow-only", opts=opts)
        aws.s3.BucketPolicy(
            "allow-only-policy",
            bucket=other.id,
            policy=doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "logs.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": "arn:aws:s3:::x/*",
                }
            ),
            opts=opts,
        )
        aws.s3.Bucket("no-policy", opts=opts)

    result = check(program, ["s3-bucket-tls-only"])
    # Issue 21: the bucket without a policy is told to add one; the bucket whose BucketPolicy
    # lacks the statement is reported on that BucketPolicy.
    assert result.names("s3-bucket-tls-only") == {"allow-only-policy", "no-policy"}
    messages = result.messages("s3-bucket-tls-only")
    assert "has no bucket policy denying aws:SecureTransport=false: add a BucketPolicy" in messages
    assert "BucketPolicy allow-only-policy has no statement denying" in messages
