"""The state backend bootstrap project (S4), run under mocks and through the offline check."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from policy.harness import ProgramError, ProgramRun, run_program

BOOTSTRAP = REPO_ROOT / "bootstrap"


@pytest.fixture(scope="module")
def state() -> ProgramRun:
    """The bootstrap program's `state` stack."""
    return run_program(BOOTSTRAP, "state")


def _one(run: ProgramRun, type_token: str) -> dict:
    (resource,) = run.of_type(type_token)
    return resource.inputs


def test_state_bucket_is_versioned_encrypted_private_and_tls_only(state: ProgramRun) -> None:
    """S4: versioning on, SSE-KMS with the bucket CMK, all four public-access blocks, owner
    enforced, TLS-only policy, old versions kept for the configured days."""
    (bucket,) = state.of_type("aws:s3/bucket:Bucket")
    assert bucket.options.protect is True
    assert _one(state, "aws:s3/bucketVersioning:BucketVersioning")["versioningConfiguration"] == {
        "status": "Enabled"
    }
    keys = {k.name: k for k in state.of_type("aws:kms/key:Key")}
    (rule,) = _one(
        state,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": keys["state-bucket"].state["arn"],
    }
    block = _one(state, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(
        block[k] is True
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    (statement,) = json.loads(_one(state, "aws:s3/bucketPolicy:BucketPolicy")["policy"])[
        "Statement"
    ]
    assert statement["Effect"] == "Deny"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (lifecycle,) = _one(state, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[
        "rules"
    ]
    assert lifecycle["noncurrentVersionExpiration"] == {"noncurrentDays": 90}


def test_keys_rotate_are_protected_and_exported(state: ProgramRun) -> None:
    """S4: a CMK for the bucket and one for the stack secrets provider, rotation on, protected;
    the outputs are the login URL and the secrets-provider URL."""
    keys = state.of_type("aws:kms/key:Key")
    assert sorted(k.name for k in keys) == ["state-bucket", "state-secrets"]
    assert all(k.inputs["enableKeyRotation"] and k.options.protect for k in keys)
    assert state.outputs["loginUrl"] == f"s3://{state.outputs['stateBucket']}?region=us-east-1"
    assert state.outputs["secretsProvider"].startswith("awskms://alias/state-secrets-")


def test_key_policies_use_the_providers_partition() -> None:
    """S4 (issue: `arn:aws:` hard-coded, invalid in GovCloud and China): the root principal of
    the key policies is built from the partition the provider reports."""
    run = run_program(BOOTSTRAP, "state", config_overrides={"region": "us-gov-west-1"})
    for key in run.of_type("aws:kms/key:Key"):
        (statement,) = json.loads(key.inputs["policy"])["Statement"]
        assert statement["Principal"] == {"AWS": "arn:aws-us-gov:iam::123456789012:root"}


def test_short_version_retention_is_refused() -> None:
    """S4/S5: keeping old state versions fewer than 30 days is a config error naming the key."""
    with pytest.raises(ProgramError, match="secure-infra-bootstrap:noncurrentVersionDays"):
        run_program(BOOTSTRAP, "state", config_overrides={"noncurrentVersionDays": 7})


def test_offline_check_runs_on_the_bootstrap_project() -> None:
    """S4/P10: the offline check runs the bootstrap program like any other."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "policy.check",
            "--stack",
            "state",
            "--program",
            str(BOOTSTRAP),
            "--json",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["types"]["aws:s3/bucket:Bucket"] == 1
