"""Cross-region replication of the audit trail bucket in the two-region stacks (M3)."""

from __future__ import annotations

import json

from support import one, stack_run

BUCKET = "aws:s3/bucket:Bucket"


def test_trail_bucket_replicates_to_the_secondary_under_its_own_key() -> None:
    """M3: the primary's trail bucket replicates (objects and delete markers, KMS-encrypted
    objects included) into a versioned bucket in the secondary region, re-encrypted with the
    secondary's logs key, through a role limited to those two buckets and keys."""
    prod = stack_run("prod")
    source = one(prod, BUCKET, "prod-core-us-east-1-trail-logs")
    replica = one(prod, BUCKET, "prod-core-eu-west-1-trail-replica")
    assert prod.provider_of(replica).inputs["region"] == "eu-west-1"
    eu_logs = one(prod, "aws:kms/key:Key", "prod-core-eu-west-1-logs")
    us_logs = one(prod, "aws:kms/key:Key", "prod-core-us-east-1-logs")
    (config,) = prod.of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
    assert config.inputs["bucket"] == source.id
    (rule,) = config.inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["deleteMarkerReplication"] == {"status": "Enabled"}
    assert rule["sourceSelectionCriteria"] == {"sseKmsEncryptedObjects": {"status": "Enabled"}}
    assert rule["destination"]["bucket"] == replica.state["arn"]
    assert rule["destination"]["encryptionConfiguration"] == {
        "replicaKmsKeyId": eu_logs.state["arn"]
    }
    versioned = {
        v.inputs["bucket"] for v in prod.of_type("aws:s3/bucketVersioning:BucketVersioning")
    }
    assert {source.id, replica.id} <= versioned

    role = next(
        r for r in prod.of_type("aws:iam/role:Role") if r.state["arn"] == config.inputs["role"]
    )
    (policy,) = [
        p for p in prod.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id
    ]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["WriteReplicas"]["Resource"] == replica.state["arn"] + "/*"
    assert statements["DecryptSource"]["Resource"] == us_logs.state["arn"]
    assert statements["EncryptReplicas"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}
    }
    # Bucket Keys on the replica bucket: S3 decrypts with the replica key to check them.
    assert statements["EncryptReplicas"]["Action"] == ["kms:Decrypt", "kms:Encrypt"]
    assert prod.outputs["trailReplicaBucket"] == replica.inputs["bucket"]


def test_single_region_stacks_have_no_replication() -> None:
    """M3: nothing to replicate to without a secondary region."""
    assert stack_run("dev").of_type("aws:s3/bucketReplicationConfig:BucketReplicationConfig") == []
