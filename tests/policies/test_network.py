"""P4 network: world ingress in every rule shape, admin ports, public exposure, public-access
blocks."""

from __future__ import annotations

import pulumi_aws as aws

from .helpers import check, default_provider_config, provider

POLICY = "security-group-ingress"


def test_inline_ingress_on_security_groups() -> None:
    def program() -> None:
        opts = provider()
        web = {"protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
        aws.ec2.SecurityGroup(
            "alb",
            ingress=[
                {**web, "from_port": 443, "to_port": 443},
                {**web, "from_port": 80, "to_port": 80},
            ],
            opts=opts,
        )
        aws.ec2.SecurityGroup(
            "world-ssh",
            ingress=[{**web, "from_port": 22, "to_port": 22}],
            opts=opts,
        )
        aws.ec2.SecurityGroup(
            "world-all-v6",
            ingress=[
                {"protocol": "-1", "from_port": 0, "to_port": 0, "ipv6_cidr_blocks": ["::/0"]}
            ],
            opts=opts,
        )
        aws.ec2.SecurityGroup(
            "world-range",
            ingress=[{**web, "from_port": 80, "to_port": 443}],
            opts=opts,
        )
        aws.ec2.SecurityGroup(
            "world-ping",
            ingress=[
                {"protocol": "icmp", "from_port": -1, "to_port": -1, "cidr_blocks": ["0.0.0.0/0"]}
            ],
            opts=opts,
        )
        aws.ec2.SecurityGroup(
            "admin-ssh",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 22,
                    "to_port": 22,
                    "cidr_blocks": ["203.0.113.0/25"],
                }
            ],
            opts=opts,
        )

    result = check(program, [POLICY])
    assert result.names(POLICY) == {"world-ssh", "world-all-v6", "world-range", "world-ping"}
    assert "0.0.0.0/0 on ICMP" in result.messages(POLICY)
    assert "SSH" in result.messages(POLICY) and "::/0" in result.messages(POLICY)


def test_rule_resources_ipv4_and_ipv6() -> None:
    def program() -> None:
        opts = provider()
        sg = aws.ec2.SecurityGroup("sg", opts=opts)
        aws.ec2.SecurityGroupRule(
            "rule-rdp",
            type="ingress",
            security_group_id=sg.id,
            protocol="tcp",
            from_port=3389,
            to_port=3389,
            cidr_blocks=["0.0.0.0/0"],
            opts=opts,
        )
        aws.ec2.SecurityGroupRule(
            "rule-egress",
            type="egress",
            security_group_id=sg.id,
            protocol="-1",
            from_port=0,
            to_port=0,
            cidr_blocks=["0.0.0.0/0"],
            opts=opts,
        )
        aws.ec2.SecurityGroupRule(
            "rule-https",
            type="ingress",
            security_group_id=sg.id,
            protocol="tcp",
            from_port=443,
            to_port=443,
            ipv6_cidr_blocks=["::/0"],
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "in-v6-ssh",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_ipv6="::/0",
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "in-v4-db",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            cidr_ipv4="0.0.0.0/0",
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "in-sg-ref",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=5432,
            to_port=5432,
            referenced_security_group_id=sg.id,
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "in-ssh-office",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            cidr_ipv4="198.51.100.0/24",
            opts=opts,
        )
        aws.vpc.SecurityGroupIngressRule(
            "in-https",
            security_group_id=sg.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            opts=opts,
        )

    result = check(program, [POLICY])
    assert result.names(POLICY) == {"rule-rdp", "in-v6-ssh", "in-v4-db", "in-ssh-office"}
    configured = check(
        program, [POLICY], pack_config={POLICY: {"allowedAdminCidrs": ["198.51.100.0/24"]}}
    )
    assert configured.names(POLICY) == {"rule-rdp", "in-v6-ssh", "in-v4-db"}


def test_public_exposure() -> None:
    def program() -> None:
        aws.rds.Instance(
            "db-public", instance_class="db.t3.micro", engine="postgres", publicly_accessible=True
        )
        aws.rds.Instance("db-private", instance_class="db.t3.micro", engine="postgres")
        aws.rds.ClusterInstance(
            "member-public",
            cluster_identifier="c",
            engine="aurora-postgresql",
            instance_class="db.r6g.large",
            publicly_accessible=True,
        )
        aws.ec2.Instance(
            "vm-public", ami="ami-1", instance_type="t3.micro", associate_public_ip_address=True
        )
        aws.ec2.Instance(
            "vm-private", ami="ami-1", instance_type="t3.micro", associate_public_ip_address=False
        )
        aws.ec2.LaunchTemplate(
            "lt-public", network_interfaces=[{"associate_public_ip_address": "true"}]
        )
        aws.ec2.LaunchTemplate(
            "lt-private", network_interfaces=[{"associate_public_ip_address": "false"}]
        )
        aws.ec2.Subnet(
            "subnet-public", vpc_id="vpc-1", cidr_block="10.0.0.0/24", map_public_ip_on_launch=True
        )
        aws.ec2.Subnet("subnet-private", vpc_id="vpc-1", cidr_block="10.0.1.0/24")
        aws.s3.BucketPublicAccessBlock(
            "pab-partial", bucket="b", block_public_acls=True, block_public_policy=True
        )
        aws.s3.BucketPublicAccessBlock(
            "pab-full",
            bucket="b",
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )

    result = check(program, ["no-public-exposure"], config=default_provider_config())
    assert result.names("no-public-exposure") == {
        "db-public",
        "member-public",
        "vm-public",
        "lt-public",
        "subnet-public",
        "pab-partial",
    }
    assert "ignorePublicAcls, restrictPublicBuckets" in result.messages("no-public-exposure")


def test_every_bucket_has_a_public_access_block() -> None:
    def program() -> None:
        opts = provider()
        blocked = aws.s3.Bucket("blocked", opts=opts)
        aws.s3.Bucket("open", opts=opts)
        aws.s3.BucketPublicAccessBlock(
            "blocked-pab",
            bucket=blocked.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=opts,
        )

    result = check(program, ["s3-bucket-public-access-block"])
    assert result.names("s3-bucket-public-access-block") == {"open"}


def test_internet_facing_load_balancers_have_a_web_acl() -> None:
    """P4, C9: an internet-facing ALB without a WAF association is reported; one with an
    association, an internal one and a network load balancer are not."""

    def program() -> None:
        opts = provider()
        public = aws.lb.LoadBalancer("public", subnets=["subnet-1"], opts=opts)
        aws.lb.LoadBalancer("unprotected", subnets=["subnet-1"], opts=opts)
        aws.lb.LoadBalancer("internal", internal=True, subnets=["subnet-1"], opts=opts)
        aws.lb.LoadBalancer(
            "network", load_balancer_type="network", subnets=["subnet-1"], opts=opts
        )
        acl = aws.wafv2.WebAcl(
            "acl",
            scope="REGIONAL",
            default_action={"allow": {}},
            visibility_config={
                "cloudwatch_metrics_enabled": True,
                "metric_name": "acl",
                "sampled_requests_enabled": True,
            },
            opts=opts,
        )
        aws.wafv2.WebAclAssociation(
            "acl-public", resource_arn=public.arn, web_acl_arn=acl.arn, opts=opts
        )

    result = check(program, ["public-alb-waf"])
    assert result.names("public-alb-waf", "mandatory") == {"unprotected"}
    assert "WebAclAssociation" in result.messages("public-alb-waf")
