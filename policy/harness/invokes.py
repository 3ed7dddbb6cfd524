"""Fake AWS answers for invokes (data sources): realistic values for what programs commonly
look up, per token, for the region of the provider the invoke went through. An invoke whose
arguments hold unknowns never reaches these (the SDK answers it unknown, as a preview does);
a token without an answer here is answered empty and listed in the report, and a program that
fails after such an empty answer fails with a note naming each of those calls.

Answers a user supplies: `invoke_answers.py`."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from ..awsfacts.elb import LOG_DELIVERY_ACCOUNTS
from .fakes import AZ_LETTERS, hex_id
from .model import ACCOUNT_ID
from .provider_check import default_tags_of


def _azs(args: dict, region: str, _p: Any) -> dict:
    letters = AZ_LETTERS.get(region, "abc")
    return {
        "id": region,
        "names": [region + c for c in letters],
        "zoneIds": [f"{region[:3]}{region.split('-')[-1]}-az{i + 1}" for i in range(len(letters))],
        "state": args.get("state", "available"),
        "groupNames": [region],
    }


def _partition(region: str) -> dict:
    """The partition of a region, as the provider reports it (China and GovCloud differ)."""
    if region.startswith("cn-"):
        name, suffix, reverse = "aws-cn", "amazonaws.com.cn", "cn.com.amazonaws"
    elif region.startswith("us-gov-"):
        name, suffix, reverse = "aws-us-gov", "amazonaws.com", "com.amazonaws"
    else:
        name, suffix, reverse = "aws", "amazonaws.com", "com.amazonaws"
    return {"id": name, "partition": name, "dnsSuffix": suffix, "reverseDnsPrefix": reverse}


def _policy_document(args: dict, _r: str, _p: Any) -> dict:
    statements = []
    for s in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": s.get("effect", "Allow")}
        if s.get("sid"):
            out["Sid"] = s["sid"]
        for src, dst in (
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if s.get(src):
                out[dst] = s[src]
        for src, dst in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if s.get(src):
                out[dst] = {p["type"]: p["identifiers"] for p in s[src]}
        if s.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in s["conditions"]:
                cond.setdefault(c["test"], {})[c["variable"]] = c["values"]
            out["Condition"] = cond
        statements.append(out)
    doc = json.dumps({"Version": "2012-10-17", "Statement": statements})
    return {"id": hex_id(doc, 10), "json": doc, "minifiedJson": doc}


# The default VPC AWS gives every account in every region: 172.31.0.0/16, one /20 subnet per
# AZ, its default security group and main route table.
def _default_vpc_id(region: str) -> str:
    return "vpc-" + hex_id(f"default-vpc {region}", 17)


def _default_subnets(region: str) -> dict[str, str]:
    """AZ -> default subnet id."""
    return {
        region + letter: "subnet-" + hex_id(f"default-subnet {region}{letter}", 17)
        for letter in AZ_LETTERS.get(region, "abc")
    }


def _vpc(args: dict, region: str, _p: Any) -> dict:
    vpc_id = args.get("id") or _default_vpc_id(region)
    default = vpc_id == _default_vpc_id(region)
    return {
        "id": vpc_id,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:vpc/{vpc_id}",
        "cidrBlock": "172.31.0.0/16" if default else "10.0.0.0/16",
        "default": default,
        "enableDnsHostnames": True,
        "enableDnsSupport": True,
        "instanceTenancy": "default",
        "mainRouteTableId": "rtb-" + hex_id(f"main {vpc_id}", 17),
        "ownerId": ACCOUNT_ID,
        "state": "available",
        "tags": {},
    }


def _subnets(args: dict, region: str, _p: Any) -> dict:
    ids = list(_default_subnets(region).values())
    return {"id": region, "ids": ids}


def _subnet(args: dict, region: str, _p: Any) -> dict:
    subnets = _default_subnets(region)
    subnet_id = args.get("id") or next(iter(subnets.values()))
    zone = next((az for az, sid in subnets.items() if sid == subnet_id), region + "a")
    index = list(subnets).index(zone) if zone in subnets else 0
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:subnet/{subnet_id}",
        "availabilityZone": zone,
        "availabilityZoneId": f"{region[:3]}{region.split('-')[-1]}-az{index + 1}",
        "cidrBlock": f"172.31.{16 * index}.0/20",
        "defaultForAz": True,
        "mapPublicIpOnLaunch": True,
        "vpcId": _default_vpc_id(region),
        "state": "available",
        "tags": {},
    }


def _security_group(args: dict, region: str, _p: Any) -> dict:
    group_id = args.get("id") or "sg-" + hex_id(f"default-sg {region}", 17)
    return {
        "id": group_id,
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT_ID}:security-group/{group_id}",
        "name": args.get("name") or "default",
        "description": "default VPC security group",
        "vpcId": args.get("vpcId") or _default_vpc_id(region),
        "tags": {},
    }


def _ecr_token(args: dict, region: str, _p: Any) -> dict:
    # What GetAuthorizationToken returns: base64("AWS:<password>"), valid 12 hours.
    password = "offline-check-ecr-password"
    registry = args.get("registryId") or ACCOUNT_ID
    return {
        "id": region,
        "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
        "userName": "AWS",
        "password": password,
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.amazonaws.com",
        "expiresAt": "2099-01-01T00:00:00Z",
        "registryId": registry,
    }


def _kms_key(args: dict, region: str, _p: Any) -> dict:
    key_id = str(args.get("keyId") or "")
    if not key_id.startswith("arn:"):
        uuid = f"{hex_id(key_id, 8)}-0000-4000-8000-{hex_id(key_id, 12)}"
        key_id = f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{uuid}"
    return {
        "id": key_id.rsplit("/", 1)[-1],
        "arn": key_id,
        "keyId": key_id.rsplit("/", 1)[-1],
        "enabled": True,
        "keyManager": "CUSTOMER",
        "keyState": "Enabled",
    }


def _kms_alias(args: dict, region: str, _p: Any) -> dict:
    name = str(args.get("name") or "alias/offline")
    key = hex_id(name, 8) + "-0000-4000-8000-" + hex_id(name, 12)
    return {
        "id": name,
        "name": name,
        "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:{name}",
        "targetKeyId": key,
        "targetKeyArn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key}",
    }


def _secret(args: dict, region: str, _p: Any) -> dict:
    name = str(args.get("name") or args.get("arn") or "offline-secret").rsplit(":", 1)[-1]
    arn = args.get("arn") or f"arn:aws:secretsmanager:{region}:{ACCOUNT_ID}:secret:{name}-abc123"
    return {"id": arn, "arn": arn, "name": name}


def _secret_version(args: dict, region: str, _p: Any) -> dict:
    secret = _secret(
        {"arn": args.get("secretId")}
        if str(args.get("secretId", "")).startswith("arn:")
        else {"name": args.get("secretId")},
        region,
        _p,
    )
    return {
        **secret,
        "secretId": args.get("secretId"),
        "secretString": "offline-check-secret-value",
        "versionId": "00000000-0000-4000-8000-000000000000",
        "versionStages": ["AWSCURRENT"],
    }


INVOKES: dict[str, Callable[[dict, str, Any], dict]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": _azs,
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, r, p: {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-check",
        "userId": "AIDAOFFLINECHECK",
        "id": ACCOUNT_ID,
    },
    "aws:index/getRegion:getRegion": lambda a, r, p: {
        "id": r,
        "name": r,
        "region": r,
        "description": r,
        "endpoint": f"ec2.{r}.amazonaws.com",
    },
    "aws:index/getPartition:getPartition": lambda a, r, p: _partition(r),
    "aws:index/getDefaultTags:getDefaultTags": lambda a, r, p: {
        "id": "aws",
        "tags": default_tags_of(p),
    },
    "aws:ssm/getParameter:getParameter": lambda a, r, p: {
        "id": a.get("name", ""),
        "name": a.get("name", ""),
        "type": "String",
        "version": 1,
        "arn": f"arn:aws:ssm:{r}:{ACCOUNT_ID}:parameter{a.get('name', '')}",
        "value": "ami-0a1b2c3d4e5f67890" if "ami" in a.get("name", "") else "offline-value",
        "insecureValue": "offline-value",
        "withDecryption": a.get("withDecryption", True),
    },
    "aws:ec2/getAmi:getAmi": lambda a, r, p: {
        "id": "ami-0a1b2c3d4e5f67890",
        "imageId": "ami-0a1b2c3d4e5f67890",
        "architecture": "x86_64",
        "rootDeviceName": "/dev/xvda",
        "name": "al2023-ami-offline",
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    # The provider knows only the regions that predate the log-delivery service principal.
    "aws:elb/getServiceAccount:getServiceAccount": lambda a, r, p: {
        "id": LOG_DELIVERY_ACCOUNTS.get(r, "127311923021"),
        "arn": f"arn:aws:iam::{LOG_DELIVERY_ACCOUNTS.get(r, '127311923021')}:root",
    },
    "aws:ec2/getVpcEndpointService:getVpcEndpointService": lambda a, r, p: {
        "id": a.get("serviceName") or f"com.amazonaws.{r}.{a.get('service', 's3')}",
        "serviceName": a.get("serviceName") or f"com.amazonaws.{r}.{a.get('service', 's3')}",
        "serviceType": a.get("serviceType", "Interface"),
        "serviceId": "vpce-svc-0offline0check0",
        "owner": "amazon",
        "acceptanceRequired": False,
        "availabilityZones": [r + c for c in AZ_LETTERS.get(r, "abc")],
        "privateDnsName": f"{(a.get('serviceName') or '').rsplit('.', 1)[-1]}.{r}.amazonaws.com",
        "vpcEndpointPolicySupported": True,
        "managesVpcEndpoints": False,
        "baseEndpointDnsNames": [],
        "supportedIpAddressTypes": ["ipv4"],
    },
    "aws:route53/getZone:getZone": lambda a, r, p: {
        "id": "Z0OFFLINE0ZONE",
        "zoneId": "Z0OFFLINE0ZONE",
        "name": (a.get("name") or "example.com").rstrip(".") + ".",
        "nameServers": ["ns-1.awsdns-00.com."],
    },
    "aws:acm/getCertificate:getCertificate": lambda a, r, p: {
        "id": a.get("domain", "example.com"),
        "domain": a.get("domain", "example.com"),
        "arn": f"arn:aws:acm:{r}:{ACCOUNT_ID}:certificate/00000000-0000-4000-8000-000000000000",
        "status": "ISSUED",
    },
    "aws:ec2/getVpc:getVpc": _vpc,
    "aws:ec2/getVpcs:getVpcs": lambda a, r, p: {"id": r, "ids": [_default_vpc_id(r)]},
    "aws:ec2/getSubnets:getSubnets": _subnets,
    "aws:ec2/getSubnetIds:getSubnetIds": lambda a, r, p: {
        **_subnets(a, r, p),
        "vpcId": a.get("vpcId") or _default_vpc_id(r),
    },
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getSecurityGroup:getSecurityGroup": _security_group,
    "aws:ec2/getSecurityGroups:getSecurityGroups": lambda a, r, p: {
        "id": r,
        "ids": [_security_group({}, r, p)["id"]],
        "vpcIds": [_default_vpc_id(r)],
        "arns": [_security_group({}, r, p)["arn"]],
    },
    "aws:ec2/getAmiIds:getAmiIds": lambda a, r, p: {"id": r, "ids": ["ami-0a1b2c3d4e5f67890"]},
    "aws:ec2/getInternetGateway:getInternetGateway": lambda a, r, p: {
        "id": "igw-" + hex_id(f"default-igw {r}", 17),
        "internetGatewayId": "igw-" + hex_id(f"default-igw {r}", 17),
        "attachments": [{"state": "available", "vpcId": _default_vpc_id(r)}],
        "ownerId": ACCOUNT_ID,
    },
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": _ecr_token,
    "aws:ecr/getCredentials:getCredentials": _ecr_token,
    "aws:kms/getKey:getKey": _kms_key,
    "aws:kms/getAlias:getAlias": _kms_alias,
    "aws:iam/getRole:getRole": lambda a, r, p: {
        "id": a.get("name", "role"),
        "name": a.get("name", "role"),
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{a.get('name', 'role')}",
        "uniqueId": "AROA" + hex_id(str(a.get("name")), 16).upper(),
    },
    "aws:iam/getPolicy:getPolicy": lambda a, r, p: {
        "id": a.get("arn") or f"arn:aws:iam::aws:policy/{a.get('name', 'ReadOnlyAccess')}",
        "arn": a.get("arn") or f"arn:aws:iam::aws:policy/{a.get('name', 'ReadOnlyAccess')}",
        "name": a.get("name") or str(a.get("arn", "")).rsplit("/", 1)[-1],
        "path": "/",
        "policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
    },
    "aws:secretsmanager/getSecret:getSecret": _secret,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
    "aws:s3/getBucket:getBucket": lambda a, r, p: {
        "id": a.get("bucket"),
        "bucket": a.get("bucket"),
        "arn": f"arn:aws:s3:::{a.get('bucket')}",
        "bucketDomainName": f"{a.get('bucket')}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{a.get('bucket')}.s3.{r}.amazonaws.com",
        "region": r,
    },
    "aws:index/getRegions:getRegions": lambda a, r, p: {
        "id": "aws",
        "names": sorted(AZ_LETTERS),
    },
    "aws:index/getAvailabilityZone:getAvailabilityZone": lambda a, r, p: {
        "id": a.get("name") or r + "a",
        "name": a.get("name") or r + "a",
        "region": r,
        "state": "available",
        "zoneId": f"{r[:3]}{r.split('-')[-1]}-az1",
    },
}
