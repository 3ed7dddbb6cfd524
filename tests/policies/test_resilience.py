"""P7 resilience: mandatory for Environment prod/production, advisory elsewhere; NAT per AZ."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .helpers import PROD_TAGS, TAGS, check, default_provider_config, provider

BOTH = ["prod-resilience", "nonprod-resilience"]


def _databases(opts: pulumi.ResourceOptions, suffix: str) -> None:
    db = {"instance_class": "db.t3.micro", "engine": "postgres"}
    aws.rds.Instance(f"db-weak-{suffix}", **db, opts=opts)
    aws.rds.Instance(
        f"db-strong-{suffix}",
        **db,
        multi_az=True,
        backup_retention_period=7,
        deletion_protection=True,
        skip_final_snapshot=False,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True)),
    )
    aws.rds.Cluster(
        f"cluster-weak-{suffix}", engine="aurora-postgresql", skip_final_snapshot=True, opts=opts
    )
    aws.rds.Cluster(
        f"cluster-strong-{suffix}",
        engine="aurora-postgresql",
        backup_retention_period=30,
        deletion_protection=True,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(protect=True)),
    )
    aws.lb.LoadBalancer(
        f"alb-{suffix}", load_balancer_type="application", subnets=["subnet-1"], opts=opts
    )
    aws.kms.Key(f"key-{suffix}", enable_key_rotation=True, opts=opts)


def test_prod_is_mandatory_and_nonprod_advisory() -> None:
    def program() -> None:
        _databases(provider(PROD_TAGS, name="prod"), "prod")
        _databases(provider(TAGS, name="dev"), "dev")
        # A resource tag overrides the provider's Environment.
        aws.kms.Key(
            "key-tagged-prod",
            enable_key_rotation=True,
            tags={"Environment": "PROD"},
            opts=provider(TAGS, name="dev2"),
        )

    result = check(program, BOTH)
    weak = {"db-weak", "cluster-weak", "alb", "key"}
    assert result.names("prod-resilience", "mandatory") == {f"{n}-prod" for n in weak} | {
        "key-tagged-prod"
    }
    assert result.names("nonprod-resilience", "advisory") == {f"{n}-dev" for n in weak}
    messages = result.messages("prod-resilience")
    for prop in (
        "multiAz",
        "backupRetentionPeriod is 0",
        "backupRetentionPeriod is 1",
        "deletionProtection",
        "skipFinalSnapshot",
        "enableDeletionProtection",
        "protect",
    ):
        assert prop in messages


def test_default_provider_environment() -> None:
    def program() -> None:
        aws.s3.Bucket("bucket")

    prod = check(program, BOTH, config=default_provider_config(PROD_TAGS))
    assert prod.names("prod-resilience", "mandatory") == {"bucket"}
    assert prod.of("nonprod-resilience") == []


def _vpc(opts: pulumi.ResourceOptions, per_az: bool) -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16", opts=opts)
    nats = []
    for index, az in enumerate(["us-east-1a", "us-east-1b"]):
        public = aws.ec2.Subnet(
            f"public-{az}",
            vpc_id=vpc.id,
            availability_zone=az,
            cidr_block=f"10.0.{index}.0/24",
            opts=opts,
        )
        if per_az or index == 0:
            eip = aws.ec2.Eip(f"eip-{az}", domain="vpc", opts=opts)
            nats.append(
                aws.ec2.NatGateway(
                    f"nat-{az}", subnet_id=public.id, allocation_id=eip.id, opts=opts
                )
            )
    for index, az in enumerate(["us-east-1a", "us-east-1b"]):
        private = aws.ec2.Subnet(
            f"private-{az}",
            vpc_id=vpc.id,
            availability_zone=az,
            cidr_block=f"10.0.{10 + index}.0/24",
            opts=opts,
        )
        nat = nats[index] if per_az else nats[0]
        if index == 0:  # inline routes on one table, a Route resource on the other
            table = aws.ec2.RouteTable(
                f"rt-{az}",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                opts=opts,
            )
        else:
            table = aws.ec2.RouteTable(f"rt-{az}", vpc_id=vpc.id, opts=opts)
            aws.ec2.Route(
                f"route-{az}",
                route_table_id=table.id,
                destination_cidr_block="0.0.0.0/0",
                nat_gateway_id=nat.id,
                opts=opts,
            )
        aws.ec2.RouteTableAssociation(
            f"assoc-{az}", subnet_id=private.id, route_table_id=table.id, opts=opts
        )


def test_nat_gateway_per_az_in_prod() -> None:
    single = check(lambda: _vpc(provider(PROD_TAGS), per_az=False), ["prod-nat-per-az"])
    assert single.names("prod-nat-per-az", "mandatory") == {"assoc-us-east-1b"}
    per_az = check(lambda: _vpc(provider(PROD_TAGS), per_az=True), ["prod-nat-per-az"])
    assert per_az.of("prod-nat-per-az") == []
    dev = check(lambda: _vpc(provider(TAGS), per_az=False), ["prod-nat-per-az"])
    assert dev.of("prod-nat-per-az") == []


def test_prod_aurora_has_a_reader() -> None:
    def program() -> None:
        opts = provider(PROD_TAGS)
        for name, members in (("lonely", 1), ("paired", 2)):
            cluster = aws.rds.Cluster(name, engine="aurora-postgresql", opts=opts)
            for index in range(members):
                aws.rds.ClusterInstance(
                    f"{name}-{index}",
                    cluster_identifier=cluster.id,
                    engine="aurora-postgresql",
                    instance_class="db.r6g.large",
                    opts=opts,
                )
        aws.rds.Cluster("dev-lonely", engine="aurora-postgresql", opts=provider(TAGS, "dev"))

    result = check(program, ["prod-aurora-replicas"])
    assert result.names("prod-aurora-replicas", "mandatory") == {"lonely"}
