"""The state backend bootstrap project (S4), run under mocks and through the offline check."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

from policy.harness import CapturedResource, ProgramError, ProgramRun, run_program

BOOTSTRAP = REPO_ROOT / "bootstrap"


@pytest.fixture(scope="module")
def state() -> ProgramRun:
    """The bootstrap program's `state` stack."""
    return run_program(BOOTSTRAP, "state")


def _bucket(run: ProgramRun, name: str) -> CapturedResource:
    (bucket,) = [b for b in run.of_type("aws:s3/bucket:Bucket") if b.name == name]
    return bucket


def _one(run: ProgramRun, type_token: str, name: str = "state") -> dict:
    (resource,) = [r for r in run.of_type(type_token) if r.name == name]
    return resource.inputs


def test_state_bucket_is_versioned_encrypted_private_and_tls_only(state: ProgramRun) -> None:
    """S4: versioning on, SSE-KMS with the bucket CMK, all four public-access blocks, owner
    enforced, TLS-only policy, old versions kept for the configured days."""
    bucket = _bucket(state, "state")
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


def test_state_access_is_logged(state: ProgramRun) -> None:
    """S4, A11 (FSBP S3.9): reads and writes of the state go to a private, SSE-S3 access-log
    bucket (the only encryption S3 log delivery takes) that admits only S3's logging service
    of this account, under the state/ prefix."""
    logs = _bucket(state, "state-access-logs")
    assert logs.options.protect is True
    logging = _one(state, "aws:s3/bucketLogging:BucketLogging")
    assert logging["bucket"] == _bucket(state, "state").state["id"]
    assert logging["targetBucket"] == logs.state["id"]
    assert logging["targetPrefix"] == "state/"
    (rule,) = _one(
        state,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "state-access-logs",
    )["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    deny, grant = json.loads(
        _one(state, "aws:s3/bucketPolicy:BucketPolicy", "state-access-logs")["policy"]
    )["Statement"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert grant["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert grant["Resource"] == f"{logs.state['arn']}/state/*"
    assert grant["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    (lifecycle,) = _one(
        state,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "state-access-logs",
    )["rules"]
    assert lifecycle["expiration"] == {"days": 365}


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
    assert json.loads(result.stdout)["types"]["aws:s3/bucket:Bucket"] == 2
