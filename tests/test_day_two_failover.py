"""Day two: losing the primary region (issue 18, data N1; README "Losing the primary region").

For every committed stack with a secondary region (each has a database, whose secondary is a
cross-region read replica), the program runs twice under the harness: as committed, and after
the runbook's config change (the surviving region as the only, primary region, with `failover`
naming the lost region and the promoted secret). What the engine would do with the difference
is asserted on the two runs: a URN of the first run missing from the second (and from its
aliases) is a delete, a URN only in the second a create, a changed input an update.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import NAMESPACE, valid_config
from support import (
    BUCKET,
    DB_INSTANCE,
    KMS_KEY,
    REPO_ROOT,
    ROLE,
    ROLE_POLICY,
    in_region,
    region_of,
    stack_config,
    stack_run,
)

from components.config import ConfigError, config_from_mapping
from policy.harness import CapturedResource, ProgramRun

SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SECRET_ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
PERMISSION = "aws:lambda/permission:Permission"
FUNCTION = "aws:lambda/function:Function"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
BACKUP_VAULT = "aws:backup/vault:Vault"
# What holds data or identity the stack cannot get back by creating it again.
STATEFUL = {BUCKET, KMS_KEY, SECRET, DB_INSTANCE, BACKUP_VAULT}
# Inputs whose change terraform-provider-aws applies without ModifyDBInstance
# (resourceInstanceUpdate: HasChangesExcept("allow_major_version_upgrade",
# "delete_automated_backups", "final_snapshot_identifier", "replicate_source_db",
# "skip_final_snapshot", "tags", "tags_all")): the promoted instance's update may touch only
# these, so the `up` modifies nothing of the running database.
NO_MODIFY_INPUTS = {
    "allowMajorVersionUpgrade",
    "deleteAutomatedBackups",
    "finalSnapshotIdentifier",
    "replicateSourceDb",
    "skipFinalSnapshot",
    "tags",
}
# Inputs the promoted instance must not carry: the password (RDS would reset it), and the
# ones that came from the source, whose change forces a replacement (db_name, username) or a
# ModifyDBInstance against the refreshed exact version (engine_version).
SOURCE_INPUTS = {"password", "dbName", "username", "engine", "engineVersion", "allocatedStorage"}


def _committed_stacks() -> list[str]:
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in REPO_ROOT.glob("Pulumi.*.yaml"))


# Every committed stack where the failover applies: one with a secondary region.
FAILOVER_STACKS = [s for s in _committed_stacks() if stack_config(s).secondary is not None]


def test_failover_applies_to_the_multi_region_stacks() -> None:
    """The stacks the runbook is for are found from the stack files, not listed by hand."""
    assert FAILOVER_STACKS == ["prod", "seed002", "seed004"]


def promoted_secret_arn(before: ProgramRun, stack: str) -> str:
    """The promoted replica of the lost region's database secret: Secrets Manager gives a
    replica the primary's name, so its ARN differs only in the region."""
    config = stack_config(stack)
    (secret,) = before.of_type(SECRET)
    assert config.secondary is not None
    return secret.state["arn"].replace(f":{config.primary.name}:", f":{config.secondary.name}:")


def failover_overrides(stack: str) -> dict[str, Any]:
    """The runbook's config change: the surviving region alone, as primary, and `failover`."""
    config = stack_config(stack)
    assert config.secondary is not None
    survivor = config.secondary.model_dump(by_alias=True, mode="json", exclude_none=True)
    return {
        "regions": [{**survivor, "role": "primary"}],
        "failover": {
            "fromRegion": config.primary.name,
            "databaseSecretArn": promoted_secret_arn(stack_run(stack), stack),
        },
    }


def after_failover(stack: str) -> ProgramRun:
    """The program for `stack` after the runbook's config change."""
    return stack_run(stack, **failover_overrides(stack))


def survivor(stack: str) -> str:
    """The region that survives: the committed stack's secondary."""
    config = stack_config(stack)
    assert config.secondary is not None
    return config.secondary.name


def _replica(run: ProgramRun, region: str) -> CapturedResource:
    (instance,) = in_region(run, DB_INSTANCE, region)
    return instance


@pytest.mark.parametrize("stack", FAILOVER_STACKS)
def test_promoted_instance_keeps_its_urn_and_gets_no_password(stack: str) -> None:
    """Issue 18, data N1: the promoted read replica is updated in place (same URN, still
    protected) and receives no password: before the fix the failover config gave it a new
    RandomPassword as `password`, and terraform-provider-aws sends MasterUserPassword whenever
    that input changes, locking out every client of the promoted secret. Its update changes
    only what the provider applies without ModifyDBInstance: `replicateSourceDb` removed (a
    PromoteReadReplica only while the state still names a source: refresh first), the final
    snapshot now taken on deletion, and the Role tag."""
    before, after = stack_run(stack), after_failover(stack)
    replica = _replica(before, survivor(stack))
    assert replica.inputs.get("replicateSourceDb")
    promoted = after.by_urn()[replica.urn]
    assert region_of(after, promoted) == survivor(stack)
    assert promoted.options.protect == replica.options.protect
    assert not SOURCE_INPUTS & set(promoted.inputs), sorted(SOURCE_INPUTS & set(promoted.inputs))
    changed = {
        key
        for key in set(replica.inputs) | set(promoted.inputs)
        if replica.inputs.get(key) != promoted.inputs.get(key)
    }
    assert "replicateSourceDb" in changed
    assert changed <= NO_MODIFY_INPUTS, sorted(changed - NO_MODIFY_INPUTS)
    # It holds the only copy of the data now: a deletion takes the configured final snapshot.
    assert promoted.inputs["skipFinalSnapshot"] is not stack_config(stack).database.final_snapshot
    assert promoted.inputs["tags"]["Role"] == "primary"
    assert not after.of_type(RANDOM_PASSWORD) or all(
        not p.name.endswith("-master-password") for p in after.of_type(RANDOM_PASSWORD)
    )


@pytest.mark.parametrize("stack", FAILOVER_STACKS)
def test_no_second_secret_or_version_after_failover(stack: str) -> None:
    """Issue 18, data N1: the promoted secret is adopted, not created again: no Secret, no
    SecretVersion (which would put a new password as AWSCURRENT) and no master password appear
    after the failover; the outputs name the adopted secret."""
    before, after = stack_run(stack), after_failover(stack)
    adopted = promoted_secret_arn(before, stack)
    assert len(before.of_type(SECRET)) == 1
    assert after.of_type(SECRET) == []
    assert after.of_type(SECRET_VERSION) == []
    assert all(not p.name.endswith("-master-password") for p in after.of_type(RANDOM_PASSWORD))
    assert after.outputs["regions"][survivor(stack)]["databaseSecretArn"] == adopted


@pytest.mark.parametrize("stack", FAILOVER_STACKS)
def test_no_stateful_resource_of_the_surviving_region_leaves_the_program(stack: str) -> None:
    """Issue 18, data N1: every protected or stateful resource (buckets, keys, secrets, DB
    instances, backup vaults) that the surviving region's provider manages before the failover
    is still in the program after it, under its URN or an alias, and keeps its `protect`.
    Before the fix the trail replica bucket (protected in prod) left the program, and `up`
    stopped on "resource is protected"."""
    before, after = stack_run(stack), after_failover(stack)
    region = survivor(stack)
    kept: dict[str, CapturedResource] = {}
    for resource in after.resources:
        for urn in (resource.urn, *resource.options.aliases):
            kept[urn] = resource
    watched = [
        r
        for r in before.resources
        if r.type.startswith("aws:")
        and region_of(before, r) == region
        and (r.options.protect or r.type in STATEFUL)
    ]
    assert any(r.type == BUCKET and r.name.endswith("-trail-replica") for r in watched)
    missing = sorted(r.urn for r in watched if r.urn not in kept)
    assert missing == []
    unprotected = sorted(
        r.urn for r in watched if r.options.protect and not kept[r.urn].options.protect
    )
    assert unprotected == []


@pytest.mark.parametrize("stack", FAILOVER_STACKS)
def test_rotation_follows_the_adopted_secret(stack: str) -> None:
    """Issue 18, data N1: rotation, its invoke permission, its role's grants and the
    failed-rotation rule all name the adopted secret; the role may use the surviving region's
    secrets key, which encrypts the promoted secret (the replica was created under it); the
    first rotation waits for the promoted instance's update."""
    before, after = stack_run(stack), after_failover(stack)
    region = survivor(stack)
    adopted = promoted_secret_arn(before, stack)
    outputs = after.outputs["regions"][region]
    (rotation,) = after.of_type(SECRET_ROTATION)
    assert rotation.inputs["secretId"] == adopted
    assert _replica(before, region).urn in rotation.dependencies
    (function,) = [
        f for f in after.of_type(FUNCTION) if f.inputs["handler"] == "postgres_rotation.handler"
    ]
    assert rotation.inputs["rotationLambdaArn"] == function.state["arn"]
    (permission,) = [
        p
        for p in after.of_type(PERMISSION)
        if p.inputs["principal"] == "secretsmanager.amazonaws.com"
    ]
    assert permission.inputs["sourceArn"] == adopted
    # The replica of the secret lived under the surviving region's secrets key.
    (old_secret,) = before.of_type(SECRET)
    (replica_spec,) = old_secret.inputs["replicas"]
    assert replica_spec["region"] == region
    assert replica_spec["kmsKeyId"] == before.outputs["regions"][region]["secretsKeyArn"]
    assert outputs["secretsKeyArn"] == replica_spec["kmsKeyId"]
    role = next(r for r in after.of_type(ROLE) if r.state["arn"] == function.inputs["role"])
    (policy,) = [p for p in after.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    assert statements["RotateThisSecret"]["Resource"] == adopted
    assert statements["SecretKeyThroughSecretsManager"]["Resource"] == outputs["secretsKeyArn"]
    assert "ReplicaKeyThroughSecretsManager" not in statements
    (rule,) = [
        r
        for r in after.of_type(EVENT_RULE)
        if "aws.secretsmanager" in json.loads(r.inputs.get("eventPattern", "{}")).get("source", [])
    ]
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["detail"]["additionalEventData"] == {"SecretId": [adopted]}
    (target,) = [t for t in after.of_type(EVENT_TARGET) if t.inputs["rule"] == rule.state["name"]]
    assert target.inputs["arn"] == outputs["alertTopicArn"]
    assert outputs["rotationFunctionArn"] == function.state["arn"]


# The config key ---------------------------------------------------------------------------


def _failover_config(**failover: object) -> dict[str, Any]:
    """The minimal valid config after a failover from eu-west-1 to us-east-1."""
    config = valid_config()
    config["failover"] = {
        "fromRegion": "eu-west-1",
        "databaseSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
        "dev-core-eu-west-1-db-credentials-1a2b3c4-AbCdEf",
        **failover,
    }
    return config


def _error(config: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as raised:
        config_from_mapping(NAMESPACE, config)
    return str(raised.value)


def test_failover_config_is_accepted() -> None:
    """Issue 18, data N1: the runbook's config validates."""
    config = config_from_mapping(NAMESPACE, _failover_config())
    assert config.failover is not None
    assert config.failover.from_region == "eu-west-1"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"databaseSecretArn": "prod-core-eu-west-1-db-credentials"},
            "secure-infra:failover.databaseSecretArn: 'prod-core-eu-west-1-db-credentials' is "
            "not the full ARN",
        ),
        (
            {
                "databaseSecretArn": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:"
                "dev-core-eu-west-1-db-credentials-1a2b3c4-AbCdEf"
            },
            "secure-infra:failover.databaseSecretArn: not the promoted database secret: it is "
            "in eu-west-1, and the promoted replica is in us-east-1",
        ),
        (
            {
                "databaseSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
                "dev-other-eu-west-1-db-credentials-1a2b3c4-AbCdEf"
            },
            "its name is not dev-core-eu-west-1-db-credentials-<suffix>",
        ),
        ({"fromRegion": "us-east-1"}, "secure-infra:failover.fromRegion: us-east-1 is the "),
        ({"fromRegion": "mars-east-1"}, "secure-infra:failover.fromRegion: 'mars-east-1' is not"),
    ],
)
def test_failover_config_errors_name_the_key(change: dict[str, str], expected: str) -> None:
    """Issue 18, data N1: a wrong adopted secret would point rotation at credentials the
    promoted database does not use; each mistake is refused naming the key and the fix."""
    assert expected in _error(_failover_config(**change))


def test_failover_refuses_a_secondary_region() -> None:
    """Issue 18, data N1: the adopted secret is not managed here and cannot get the replica a
    new secondary's read replica would need (M5)."""
    config = _failover_config()
    config["regions"].append(
        {
            "name": "eu-west-2",
            "role": "secondary",
            "vpcCidr": "10.1.0.0/16",
            "azs": ["eu-west-2a", "eu-west-2b"],
        }
    )
    config["compute"]["certificateArn"]["eu-west-2"] = config["compute"]["certificateArn"][
        "us-east-1"
    ].replace("us-east-1", "eu-west-2")
    assert "secure-infra:regions: failover is set, so the stack has only the surviving" in _error(
        config
    )


def test_failover_refuses_aurora() -> None:
    """Issue 18, data N1: only an RDS instance has a cross-region read replica to promote."""
    config = _failover_config()
    config["database"] = {"engine": "aurora-postgresql"}
    assert "secure-infra:failover: only an RDS instance" in _error(config)


def test_failover_checks_the_account() -> None:
    """Issue 18, data N1: with accountId pinned, the adopted secret must be in that account."""
    config = _failover_config()
    config["accountId"] = "210987654321"
    assert "its account is not accountId 210987654321" in _error(config)
