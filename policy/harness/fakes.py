"""Fake AWS answers for registered resources: a plausible id, ARN and the computed attributes
programs read (endpoints, DNS names, key ids, ...), derived from the URN so that every run
gives the same values. The shapes follow what the provider returns; the account is
ACCOUNT_ID."""

from __future__ import annotations

import hashlib
from typing import Any

from .model import ACCOUNT_ID
from .values import known

# Availability zone letters per region as AWS reports them to a typical account.
AZ_LETTERS = {
    "us-east-1": "abcdef",
    "us-east-2": "abc",
    "us-west-1": "ac",
    "us-west-2": "abcd",
    "eu-west-1": "abc",
    "eu-west-2": "abc",
    "eu-west-3": "abc",
    "eu-central-1": "abc",
    "eu-north-1": "abc",
    "ap-southeast-1": "abc",
    "ap-southeast-2": "abc",
    "ap-northeast-1": "acd",
    "ca-central-1": "abd",
    "sa-east-1": "abc",
}
# Canonical hosted zone ids of application load balancers, for alias records.
ALB_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}
# Id prefixes AWS uses, so that programs and policies see realistic ids.
ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce-",
    "aws:ec2/flowLog:FlowLog": "fl-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
    "aws:ec2/instance:Instance": "i-",
    "aws:ebs/volume:Volume": "vol-",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:route53/zone:Zone": "Z0",
    "aws:route53/healthCheck:HealthCheck": "hc-",
}
# ARN shapes for services whose ARNs are not `<service>:<region>:<account>:<type>/<name>`.
GLOBAL_SERVICES = {"iam", "route53", "cloudfront", "organizations"}


def hex_id(seed: str, length: int) -> str:
    """A stable hexadecimal string derived from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def outputs_for(
    type_token: str, logical: str, urn: str, inputs: dict[str, Any], region: str
) -> tuple[str, dict[str, Any]]:
    """A plausible physical id and output state for a new resource."""
    state = known(dict(inputs))
    # Names chosen by AWS from a prefix are outputs only (unknown in preview, set after).
    for prop, prefix in (("name", "namePrefix"), ("bucket", "bucketPrefix")):
        if prop not in state and isinstance(state.get(prefix), str):
            state[prop] = state[prefix] + hex_id(urn, 26)
    name = state.get("name") or state.get("bucket") or logical
    prefix = ID_PREFIX.get(type_token)
    if prefix:
        rid = prefix + hex_id(urn, 17)
    elif type_token.startswith("pulumi:providers:"):
        rid = hex_id(urn, 36)
    else:
        rid = str(name)
    package, module_path, type_name = ([*type_token.split(":"), "", ""])[:3]
    service = module_path.split("/")[0]
    resource_kind = type_name[:1].lower() + type_name[1:]
    if service in GLOBAL_SERVICES:
        arn = f"arn:aws:{service}::{ACCOUNT_ID}:{resource_kind}/{name}"
    else:
        arn = f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource_kind}/{name}"
    state.setdefault("id", rid)
    if package == "aws":
        state.setdefault("arn", arn)
    _type_specific(type_token, state, name, urn, region)
    return rid, state


def _type_specific(
    type_token: str, state: dict[str, Any], name: str, urn: str, region: str
) -> None:
    h = hex_id(urn, 12)
    if type_token == "aws:kms/key:Key":
        key_id = (
            f"{h[:8]}-{h[8:12]}-4{hex_id(urn + 'k', 3)}-8{hex_id(urn + 'l', 3)}-{hex_id(urn, 12)}"
        )
        state.update(keyId=key_id, arn=f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}")
    elif type_token == "aws:s3/bucket:Bucket":
        state.update(
            arn=f"arn:aws:s3:::{name}",
            bucketDomainName=f"{name}.s3.amazonaws.com",
            bucketRegionalDomainName=f"{name}.s3.{region}.amazonaws.com",
            region=region,
        )
    elif type_token == "aws:cloudwatch/logGroup:LogGroup":
        state["arn"] = f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{name}"
    elif type_token == "aws:iam/role:Role":
        state.update(arn=f"arn:aws:iam::{ACCOUNT_ID}:role/{name}", uniqueId=f"AROA{h.upper()}")
    elif type_token == "aws:iam/policy:Policy":
        state["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:policy/{name}"
    elif type_token == "aws:lambda/function:Function":
        arn = f"arn:aws:lambda:{region}:{ACCOUNT_ID}:function:{name}"
        state.update(
            arn=arn,
            qualifiedArn=f"{arn}:1",
            version="1",
            invokeArn=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/"
            f"functions/{arn}/invocations",
        )
    elif type_token == "aws:secretsmanager/secret:Secret":
        state["arn"] = f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-{h[:6]}"
    elif type_token == "aws:sns/topic:Topic":
        state["arn"] = f"arn:aws:sns:{region}:{ACCOUNT_ID}:{name}"
    elif type_token == "aws:ec2/eip:Eip":
        state.update(allocationId=state["id"], publicIp=f"198.51.100.{int(h[:2], 16) % 250}")
    elif type_token == "aws:ec2/vpc:Vpc":
        state.update(defaultSecurityGroupId=f"sg-{h}", mainRouteTableId=f"rtb-{h}")
    elif type_token == "aws:lb/loadBalancer:LoadBalancer":
        suffix = f"app/{name}/{h[:16]}"
        state.update(
            arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}",
            arnSuffix=suffix,
            dnsName=f"{name}-{int(h[:8], 16)}.{region}.elb.amazonaws.com",
            zoneId=ALB_ZONE_IDS.get(region, "Z35SXDOTRQ7X7K"),
        )
    elif type_token == "aws:lb/targetGroup:TargetGroup":
        suffix = f"targetgroup/{name}/{h[:16]}"
        state.update(
            arn=f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:{suffix}", arnSuffix=suffix
        )
    elif type_token == "aws:rds/instance:Instance":
        address = f"{name}.c{h[:10]}.{region}.rds.amazonaws.com"
        state.update(
            address=address,
            endpoint=f"{address}:5432",
            port=5432,
            resourceId=f"db-{h.upper()}",
            arn=f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{name}",
        )
    elif type_token == "aws:rds/cluster:Cluster":
        ident = state.get("clusterIdentifier") or name
        state.update(
            endpoint=f"{ident}.cluster-c{h[:10]}.{region}.rds.amazonaws.com",
            readerEndpoint=f"{ident}.cluster-ro-c{h[:10]}.{region}.rds.amazonaws.com",
            port=5432,
            clusterResourceId=f"cluster-{h.upper()}",
            arn=f"arn:aws:rds:{region}:{ACCOUNT_ID}:cluster:{ident}",
        )
    elif type_token == "aws:rds/clusterInstance:ClusterInstance":
        # Pulumi does not autoname a cluster member; the provider's Create picks `tf-...`.
        ident = state.get("identifier") or f"tf-{h}"
        state.update(
            identifier=ident,
            endpoint=f"{ident}.c{h[:10]}.{region}.rds.amazonaws.com",
            arn=f"arn:aws:rds:{region}:{ACCOUNT_ID}:db:{ident}",
        )
    elif type_token == "aws:ec2/launchTemplate:LaunchTemplate":
        state.update(latestVersion=1, defaultVersion=1)
    elif type_token == "aws:acm/certificate:Certificate":
        domain = state.get("domainName", "example.com")
        state["domainValidationOptions"] = [
            {
                "domainName": domain,
                "resourceRecordName": f"_{h[:16]}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{h[16:] or h}.acm-validations.aws.",
            }
        ]
    elif type_token == "aws:ecr/repository:Repository":
        state.update(
            registryId=ACCOUNT_ID,
            repositoryUrl=f"{ACCOUNT_ID}.dkr.ecr.{region}.amazonaws.com/{name}",
            arn=f"arn:aws:ecr:{region}:{ACCOUNT_ID}:repository/{name}",
        )
    elif type_token == "aws:ecs/cluster:Cluster":
        state["arn"] = f"arn:aws:ecs:{region}:{ACCOUNT_ID}:cluster/{name}"
    elif type_token == "aws:route53/record:Record":
        record = str(state.get("name") or name).rstrip(".")
        state["fqdn"] = record if "." in record else f"{record}.example.com"
    elif type_token == "aws:route53/zone:Zone":
        state.update(zoneId=state["id"], nameServers=["ns-1.awsdns-00.com."])
    elif type_token.startswith("random:"):
        state.update(
            result=f"offline{h}",
            hex=h,
            b64Url=h,
            b64Std=h,
            dec=str(int(h, 16)),
            id=state.get("id") or h,
        )
