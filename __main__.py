"""Secure multi-region AWS foundation.

Config in, one explicit provider and one RegionalStack per region (primary first, so the
secondary can replicate from it), then the parts that span regions (DNS failover), then
exports. Everything that differs between stacks is in Pulumi.<stack>.yaml (S1); nothing here
branches on the stack name.
"""

import pulumi
import pulumi_aws as aws

from components.buckets import SecureBucket, SecureBucketArgs
from components.certificates import IssuedCertificates, IssuedCertificatesArgs
from components.config import load_config
from components.dns import DnsEndpoint, DnsFailover, DnsFailoverArgs
from components.naming import base_name
from components.regional import RegionalStack, RegionalStackArgs
from components.replication import BucketReplication, BucketReplicationArgs

config = load_config()


def provider_for(region: str) -> aws.Provider:
    """The region's explicit provider, carrying the required tags as default tags (S3, S7)."""
    return aws.Provider(
        f"aws-{region}",
        region=region,
        allowed_account_ids=[config.account_id] if config.account_id else None,
        default_tags=aws.ProviderDefaultTagsArgs(tags=config.tags()),
    )


primary_config, secondary_config = config.primary, config.secondary
providers = {region.name: provider_for(region.name) for region in config.regions}
primary_provider = providers[primary_config.name]


def regional_name(region: str) -> str:
    """The regional stack's name, `<environment>-<service>-<region>`."""
    return base_name(config.environment, config.service, region)


# C2: issued certificates share one DNS validation record, so they are made for all regions
# at once, before the regions' load balancers need them.
issued: dict[str, pulumi.Output[str]] = {}
if config.compute.issues_certificate:
    issued = IssuedCertificates(
        base_name(config.environment, config.service, "global"),
        IssuedCertificatesArgs(
            domain_name=config.compute.domain_name or "",
            hosted_zone_id=config.compute.hosted_zone_id or "",
            providers=providers,
            compute_names={region: regional_name(region) for region in providers},
        ),
    ).arns

# M5: the primary's database secret is replicated under the secondary's secrets key, which
# exists only once the secondary region is built: a deferred output bridges the order (made
# only when it will be resolved: the SDK waits for every output).
secondary_secrets_key, resolve_secondary_secrets_key = (
    pulumi.deferred_output() if secondary_config is not None else (None, None)
)
primary = RegionalStack(
    regional_name(primary_config.name),
    RegionalStackArgs(
        config=config,
        region=primary_config,
        peer=secondary_config,
        certificate_arn=issued.get(primary_config.name),
        peer_secrets_key_arn=secondary_secrets_key,
        # After a failover the primary is the former secondary: its promoted database keeps
        # the credentials the operator promoted with it (issue 18, data N1).
        adopted_secret_arn=config.failover.database_secret_arn if config.failover else None,
    ),
    opts=pulumi.ResourceOptions(providers={"aws": primary_provider}),
)
regions = {primary_config.name: primary}
if secondary_config is not None:
    regions[secondary_config.name] = RegionalStack(
        regional_name(secondary_config.name),
        RegionalStackArgs(
            config=config,
            region=secondary_config,
            peer=primary_config,
            database_source_arn=primary.database.database.arn,
            certificate_arn=issued.get(secondary_config.name),
        ),
        opts=pulumi.ResourceOptions(providers={"aws": providers[secondary_config.name]}),
    )
    resolve_secondary_secrets_key(regions[secondary_config.name].keys.secrets.arn)



def trail_replica_bucket(region: str) -> SecureBucket:
    """The bucket in `region` that holds the replica of the primary's audit trail (M3),
    encrypted with that region's own logs key."""
    stack = regions[region]
    return SecureBucket(
        regional_name(region) + "-trail-replica",
        SecureBucketArgs(
            kms_key_arn=stack.keys.logs.arn,
            noncurrent_version_days=90,
            transitions=[(90, "GLACIER")],
            protect=config.audit.protect_buckets,
            access_log_bucket=stack.access_log_bucket,
        ),
        opts=pulumi.ResourceOptions(parent=stack),
    )


if secondary_config is not None and primary.audit.trail_bucket is not None:
    # M3: the audit trail survives the loss of the primary region in a replica bucket of the
    # secondary.
    secondary = regions[secondary_config.name]
    trail_replica = trail_replica_bucket(secondary_config.name)
    BucketReplication(
        regional_name(primary_config.name) + "-trail",
        BucketReplicationArgs(
            source=primary.audit.trail_bucket,
            source_kms_key_arn=primary.keys.logs.arn,
            destination=trail_replica,
            destination_kms_key_arn=secondary.keys.logs.arn,
            destination_region=secondary_config.name,
        ),
        opts=pulumi.ResourceOptions(parent=primary),
    )
    pulumi.export("trailReplicaBucket", trail_replica.name)
elif config.failover is not None and config.audit.owns_account_baseline:
    # Issue 18, data N1: the lost primary held the account's trail (a baseline owner's primary
    # does), so the surviving region holds its replica: the same bucket, with the same URN,
    # stays as the archive of the trail until the loss, without a replication source. Leaving
    # the program would delete it, which its `protect` refuses and the audit trail forbids.
    pulumi.export("trailReplicaBucket", trail_replica_bucket(primary_config.name).name)

if config.dns.zone_id is not None:

    def endpoint(region: str) -> DnsEndpoint:
        balancer = regions[region].compute.load_balancer
        return DnsEndpoint(region=region, dns_name=balancer.dns_name, zone_id=balancer.zone_id)

    check = config.dns.health_check
    failover = DnsFailover(
        base_name(config.environment, config.service, "global"),
        DnsFailoverArgs(
            zone_id=config.dns.zone_id,
            record_name=config.dns.record_name,
            primary=endpoint(primary_config.name),
            secondary=endpoint(secondary_config.name) if secondary_config else None,
            health_check_path=check.path,
            health_check_port=check.port,
            health_check_protocol=check.protocol,
            search_string=check.search_string,
            request_interval=check.request_interval,
            failure_threshold=check.failure_threshold,
            measure_latency=check.measure_latency,
            checker_regions=check.regions,
        ),
        # Route 53 is global; its API is reached through the primary region's provider.
        opts=pulumi.ResourceOptions(providers={"aws": primary_provider}),
    )
    pulumi.export("dnsHealthCheckIds", failover.health_check_ids)

pulumi.export("environment", config.environment)
pulumi.export("primaryRegion", primary_config.name)
pulumi.export("regions", {name: stack.outputs for name, stack in regions.items()})
