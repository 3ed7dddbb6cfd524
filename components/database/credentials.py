"""The database's master credentials (D9): a CMK-encrypted secret in the shape the rotation
function reads and writes, replicated to the peer region (M5)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..config.database import DatabaseConfig
from ..naming import child_name, name_tag

PORT = 5432
# A staging label of the version Pulumi creates, besides AWSCURRENT. Rotation moves AWSCURRENT
# and AWSPREVIOUS away from it; with this label it is never left without one, so Secrets
# Manager never deprecates it ("If this action results in the last label being removed from a
# version, then the version is considered to be 'deprecated' and can be deleted",
# UpdateSecretVersionStage). A deleted version would leave Pulumi's state on the next refresh
# and be created again on the next `up`, putting the initial password back as AWSCURRENT.
# Labels are 1-256 characters (botocore SecretVersionStageType); the AWS prefix is the
# service's own.
INITIAL_VERSION_LABEL = "PULUMI_INITIAL"


@dataclass(frozen=True)
class Credentials:
    """The credentials secret and the version Pulumi wrote into it."""

    secret: aws.secretsmanager.Secret
    version: aws.secretsmanager.SecretVersion


def create_secret(
    base_name: str,
    *,
    settings: DatabaseConfig,
    host: pulumi.Input[str],
    password: pulumi.Input[str],
    secrets_key_arn: pulumi.Input[str],
    replica_region: str | None,
    replica_key_arn: pulumi.Input[str] | None,
    parent: pulumi.Resource,
) -> Credentials:
    """The master credentials (`host`, `password`, the user and database of `settings`) in a
    secret under `secrets_key_arn`, replicated to `replica_region` under `replica_key_arn`
    when there is one, and protected as `settings` says."""
    name = child_name(base_name, "db-credentials")
    replicas = None
    if replica_region is not None:
        if replica_key_arn is None:
            raise ValueError(f"{name}: a secret replica needs secret_replica_key_arn")
        # M5: the credentials survive the primary region; rotation changes propagate.
        replicas = [
            aws.secretsmanager.SecretReplicaArgs(region=replica_region, kms_key_id=replica_key_arn)
        ]
    secret = aws.secretsmanager.Secret(
        name,
        description=f"{name}: master credentials of the {settings.engine} database",
        kms_key_id=secrets_key_arn,
        recovery_window_in_days=settings.secret_recovery_window_days,
        replicas=replicas,
        tags=name_tag(name),
        opts=pulumi.ResourceOptions(parent=parent, protect=settings.protect),
    )
    # The shape the rotation function reads and writes (engine, host, port, username,
    # password, dbname). After the first rotation the secret holds the live password and
    # rotation moves the labels, so later runs must put back neither the generated value nor
    # AWSCURRENT (a refresh reads AWSPREVIOUS, then only the own label, on this version).
    version = aws.secretsmanager.SecretVersion(
        name,
        secret_id=secret.id,
        secret_string=pulumi.Output.secret(
            pulumi.Output.json_dumps(
                {
                    "engine": "postgres",
                    "host": host,
                    "port": PORT,
                    "username": settings.master_username,
                    "password": password,
                    "dbname": settings.database_name,
                }
            )
        ),
        version_stages=["AWSCURRENT", INITIAL_VERSION_LABEL],
        opts=pulumi.ResourceOptions(
            parent=parent, ignore_changes=["secretString", "versionStages"]
        ),
    )
    return Credentials(secret=secret, version=version)
