"""Cross-region replication of a bucket that holds data worth keeping if a region is lost (M3).

S3 replicates new object versions (and delete markers) of the source bucket into a versioned
bucket in the other region, decrypting with the source CMK and re-encrypting with the
destination region's CMK, through a role that can do exactly that and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from .account import AccountContext
from .buckets import SecureBucket
from .iam import allow, document, service_trust_policy
from .naming import child_name, name_tag, token


@dataclass
class BucketReplicationArgs:
    """Arguments of `BucketReplication`."""

    source: SecureBucket
    """The bucket to replicate (versioned, SSE-KMS), in this component's region."""
    source_kms_key_arn: pulumi.Input[str]
    destination: SecureBucket
    """The versioned replica bucket in the other region."""
    destination_kms_key_arn: pulumi.Input[str]
    """The other region's CMK that encrypts the replicas."""
    destination_region: str


class BucketReplication(pulumi.ComponentResource):
    """Replication rule, and its role, from one bucket to its replica in another region."""

    role_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: BucketReplicationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("storage", "BucketReplication"), name, None, opts)
        ctx = AccountContext.lookup(self)
        role_name = child_name(name, "replication")
        source_arn, destination_arn = args.source.arn, args.destination.arn
        role = aws.iam.Role(
            role_name,
            description=f"{role_name}: S3 replication to {args.destination_region}",
            assume_role_policy=service_trust_policy(
                "s3.amazonaws.com", source_account=ctx.account_id
            ),
            tags=name_tag(role_name),
            opts=pulumi.ResourceOptions(parent=self),
        )
        source_via = pulumi.Output.concat("s3.", ctx.region, ".amazonaws.com")
        destination_via = f"s3.{args.destination_region}.amazonaws.com"
        policy = aws.iam.RolePolicy(
            role_name,
            role=role.id,
            policy=document(
                [
                    allow(
                        ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                        source_arn,
                        sid="ReadSourceConfiguration",
                    ),
                    allow(
                        [
                            "s3:GetObjectVersionAcl",
                            "s3:GetObjectVersionForReplication",
                            "s3:GetObjectVersionTagging",
                        ],
                        pulumi.Output.concat(source_arn, "/*"),
                        sid="ReadSourceVersions",
                    ),
                    allow(
                        ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"],
                        pulumi.Output.concat(destination_arn, "/*"),
                        sid="WriteReplicas",
                    ),
                    allow(
                        ["kms:Decrypt"],
                        args.source_kms_key_arn,
                        sid="DecryptSource",
                        condition={"StringEquals": {"kms:ViaService": source_via}},
                    ),
                    # With S3 Bucket Keys the replica key also needs kms:Decrypt, which "verifies
                    # the integrity of the S3 Bucket Key before using it" (S3 User Guide,
                    # "Replicating encrypted objects").
                    allow(
                        ["kms:Decrypt", "kms:Encrypt"],
                        args.destination_kms_key_arn,
                        sid="EncryptReplicas",
                        condition={"StringEquals": {"kms:ViaService": destination_via}},
                    ),
                ]
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.s3.BucketReplicationConfig(
            name,
            bucket=args.source.bucket.id,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id="to-" + args.destination_region,
                    status="Enabled",
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        ),
                    ),
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=destination_arn,
                        storage_class="STANDARD_IA",
                        encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=args.destination_kms_key_arn
                        ),
                    ),
                )
            ],
            # Replication needs versioning on both sides, which the buckets' components own.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[policy, args.source, args.destination]
            ),
        )
        self.role_arn = role.arn
        self.register_outputs({"role_arn": self.role_arn})
