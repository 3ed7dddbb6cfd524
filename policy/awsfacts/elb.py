"""Elastic Load Balancing facts: the security policies HTTPS listeners accept, and the
regional accounts that deliver access logs in the regions that predate the log-delivery
service principal."""

from __future__ import annotations

# Application Load Balancer security policies and the lowest TLS version each accepts.
# Source: AWS ELB User Guide 'Security policies for your Application Load Balancer'
# (describe-ssl-policies.html), cross-checked against aws/aws-cdk's `SslPolicy` enum
# (aws-elasticloadbalancingv2/lib/shared/enums.ts) and the minimum protocol versions in
# aws/s2n-tls tls/s2n_security_policies.c. The API's own default when a listener names none is
# ELBSecurityPolicy-2016-08, which accepts TLS 1.0. `aws elbv2 describe-ssl-policies` is the
# live authority; a policy AWS adds later can be allowed through the pack config.
SSL_POLICIES: dict[str, str] = {
    "ELBSecurityPolicy-2016-08": "1.0",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "1.0",
    "ELBSecurityPolicy-FS-2018-06": "1.0",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "1.1",
    "ELBSecurityPolicy-FS-1-1-2019-08": "1.1",
    "ELBSecurityPolicy-TLS-1-2-2017-01": "1.2",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": "1.2",
    "ELBSecurityPolicy-FS-1-2-2019-08": "1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": "1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": "1.2",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "1.1",
    "ELBSecurityPolicy-TLS13-1-2-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-2021-06": "1.3",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04": "1.1",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04": "1.3",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09": "1.0",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09": "1.3",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09": "1.0",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-PQ-2025-09": "1.1",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09": "1.3",
    # RFC 9151 (CNSA) policies, from the ELB names aws/s2n-tls carries for them.
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07": "1.2",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07": "1.3",
}


def tls12_policies() -> list[str]:
    """The security policies that refuse TLS 1.0 and 1.1, in catalog order."""
    return [name for name, lowest in SSL_POLICIES.items() if lowest in ("1.2", "1.3")]


# Regions whose access logs Elastic Load Balancing delivers from a regional account, and that
# account. Source: terraform-provider-aws internal/service/elb/service_account_data_source.go
# (accountIDPerRegionMap; any other region makes `aws.elb.get_service_account` fail with
# "unsupported AWS Region"). AWS ELB User Guide 'Enable access logs for your Application Load
# Balancer': regions opened since August 2022 deliver only through the service principal
# `logdelivery.elasticloadbalancing.amazonaws.com`, which AWS now recommends everywhere; the
# account statement is still honoured in the regions listed here.
LOG_DELIVERY_ACCOUNTS: dict[str, str] = {
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864",
    "ap-northeast-2": "600734575887",
    "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580",
    "ca-central-1": "985666609251",
    "cn-north-1": "638102146993",
    "cn-northwest-1": "037604701340",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "eu-south-1": "635631232127",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-gov-east-1": "190560391635",
    "us-gov-west-1": "048591011584",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
}
LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
