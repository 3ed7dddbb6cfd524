"""The rotation functions against a Secrets Manager / SSM emulator and a real PostgreSQL (T3).

moto emulates Secrets Manager and SSM. Its ``RotateSecret`` does what the service does before
invoking a rotation function: it enables rotation, creates the new version with only the
AWSPENDING label, then invokes the function for createSecret, setSecret, testSecret and
finishSecret with that version's ID as ``ClientRequestToken``. moto would run the function in a
Docker container; :class:`SecretsManagerDriver` swaps that invocation for a direct call of the
handler, and can stop after any step to stand for a timeout or a crash.

The database is a throwaway PostgreSQL server (``tests/postgres_server.py``) that accepts host
connections only over TLS with SCRAM-SHA-256, so every successful login below went through the
same TLS and authentication path an RDS instance with ``rds.force_ssl=1`` enforces.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pg8000.native
import pulumi
import pytest
from moto import mock_aws
from moto.awslambda.models import LambdaBackend
from packaging.utils import canonicalize_name as canonical

ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = Path(__file__).resolve().parent
LAMBDA_SRC = ROOT / "components" / "rotation" / "lambda_src"
# The handlers are imported as top-level modules, exactly as the Lambda runtime imports them
# from the archive root; the repository root makes the packaging module importable.
for _path in (LAMBDA_SRC, TESTS_DIR, ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import postgres_rotation  # noqa: E402
import ssm_rotation  # noqa: E402
from postgres_server import (  # noqa: E402
    PostgresServer,
    free_tcp_port,
    make_self_signed_certificate,
)

from components.rotation import package  # noqa: E402
from components.rotation.trust_store import BUNDLE_NAME  # noqa: E402

STEPS = postgres_rotation.STEPS
REGION = "us-east-1"


class Interrupted(Exception):
    """Stands for a rotation function that timed out or crashed between two steps."""


@dataclass
class Role:
    name: str
    password: str


# Fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "DB_CONNECT_TIMEOUT": "3",
    }.items():
        monkeypatch.setenv(name, value)
    for name in (
        "AWS_PROFILE",
        "SECRETS_MANAGER_ENDPOINT",
        "SSM_ENDPOINT",
        "DB_CA_BUNDLE",
        "PASSWORD_LENGTH",
        "PARAMETER_NAME",
        "KMS_KEY_ID",
    ):
        monkeypatch.delenv(name, raising=False)
    with mock_aws():
        yield


@pytest.fixture
def trusted_ca(aws: None, pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test server's CA as the function's DB_CA_BUNDLE (what the RDS bundle is deployed)."""
    assert pg_server.cert_path is not None
    monkeypatch.setenv("DB_CA_BUNDLE", str(pg_server.cert_path))
    return pg_server.cert_path


@pytest.fixture
def role(pg_server: PostgresServer, trusted_ca: Path) -> Iterator[Role]:
    """A fresh master-like role per test; mixed case and a hyphen exercise identifier quoting."""
    created = Role(name=f"Master-{uuid.uuid4().hex[:8]}", password=uuid.uuid4().hex + "Aa1!")
    admin = pg_server.admin_connection()
    try:
        admin.run(
            f"CREATE ROLE {pg8000.native.identifier(created.name)} LOGIN CREATEROLE "
            f"PASSWORD {pg8000.native.literal(created.password)}"
        )
        admin.run(
            f"GRANT CONNECT ON DATABASE {pg8000.native.identifier(pg_server.database)} "
            f"TO {pg8000.native.identifier(created.name)}"
        )
    finally:
        admin.close()
    yield created
    admin = pg_server.admin_connection()
    try:
        admin.run(
            f"REVOKE CONNECT ON DATABASE {pg8000.native.identifier(pg_server.database)} "
            f"FROM {pg8000.native.identifier(created.name)}"
        )
        admin.run(f"DROP ROLE {pg8000.native.identifier(created.name)}")
    finally:
        admin.close()


@pytest.fixture
def sm(aws: None) -> Any:
    return boto3.client("secretsmanager", region_name=REGION)


@pytest.fixture
def driver(aws: None, sm: Any, monkeypatch: pytest.MonkeyPatch) -> SecretsManagerDriver:
    return SecretsManagerDriver(sm, monkeypatch)


class SecretsManagerDriver:
    """Starts rotations through moto's RotateSecret, with the handler as the rotation function."""

    def __init__(self, sm: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sm = sm
        self.stop_after: int | None = None
        self.steps_run: list[str] = []
        iam = boto3.client("iam", region_name=REGION)
        role_arn = iam.create_role(
            RoleName="rotation-function",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        self.function_arn = boto3.client("lambda", region_name=REGION).create_function(
            FunctionName="postgres-rotation",
            Runtime="python3.11",
            Role=role_arn,
            Handler="postgres_rotation.handler",
            Code={"ZipFile": _zip_of(LAMBDA_SRC / "postgres_rotation.py")},
        )["FunctionArn"]
        # A bound method on the class stays bound to the driver, so moto's backend instance is
        # not passed in; the keyword arguments are moto's own call.
        monkeypatch.setattr(LambdaBackend, "invoke", self._invoke)

    def _invoke(
        self, function_name: str, qualifier: Any, body: str, headers: Any, response_headers: Any
    ) -> bytes:
        event = json.loads(body)
        if self.stop_after is not None and len(self.steps_run) >= self.stop_after:
            raise Interrupted(f"stopped before {event['Step']}")
        postgres_rotation.handler(event, None)
        self.steps_run.append(event["Step"])
        return b"null"

    def rotate(
        self, secret_id: str, token: str | None = None, stop_after: int | None = None
    ) -> str:
        """RotateSecret with a fresh (or given) token; returns the token."""
        token = token or str(uuid.uuid4())
        self.stop_after = stop_after
        self.steps_run = []
        self.sm.rotate_secret(
            SecretId=secret_id,
            ClientRequestToken=token,
            RotationLambdaARN=self.function_arn,
            RotationRules={"AutomaticallyAfterDays": 30},
        )
        return token


def _zip_of(path: Path) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, path.name)
    return buffer.getvalue()


# Helpers --------------------------------------------------------------------------------------


def secret_value(server: PostgresServer, role: Role, **overrides: Any) -> dict[str, Any]:
    value = {
        "engine": "postgres",
        "host": server.host,
        "port": server.port,
        "username": role.name,
        "password": role.password,
        "dbname": server.database,
    }
    value.update(overrides)
    return {key: item for key, item in value.items() if item is not None}


def create_secret(sm: Any, value: dict[str, Any]) -> tuple[str, str]:
    """Create the secret; returns (ARN, first version ID)."""
    name = f"db-master-{uuid.uuid4().hex[:8]}"
    response = sm.create_secret(Name=name, SecretString=json.dumps(value))
    return response["ARN"], response["VersionId"]


def can_login(server: PostgresServer, user: str, password: str) -> bool:
    """Log in independently of the function under test, verifying the server certificate."""
    import ssl

    context = ssl.create_default_context(cafile=str(server.cert_path))
    try:
        connection = pg8000.native.Connection(
            user=user,
            password=password,
            host=server.host,
            port=server.port,
            database=server.database,
            ssl_context=context,
            timeout=5,
        )
    except pg8000.native.DatabaseError as exc:
        if exc.args[0].get("C") == "28P01":
            return False
        raise
    try:
        return connection.run("SELECT current_user") == [[user]]
    finally:
        connection.close()


def stages(sm: Any, secret_id: str) -> dict[str, list[str]]:
    return {
        version: sorted(labels)
        for version, labels in sm.describe_secret(SecretId=secret_id)["VersionIdsToStages"].items()
        if labels
    }


def current(sm: Any, secret_id: str) -> tuple[str, dict[str, Any]]:
    # Always by stage: moto's UpdateSecretVersionStage does not move its "default version".
    response = sm.get_secret_value(SecretId=secret_id, VersionStage="AWSCURRENT")
    return response["VersionId"], json.loads(response["SecretString"])


def working_versions(sm: Any, server: PostgresServer, secret_id: str, user: str) -> list[str]:
    """IDs of the versions (labelled or not) whose password the database accepts; a version
    that is not JSON holds no password."""
    working = []
    for version in sm.list_secret_version_ids(SecretId=secret_id, IncludeDeprecated=True)[
        "Versions"
    ]:
        try:
            value = sm.get_secret_value(SecretId=secret_id, VersionId=version["VersionId"])
            password = json.loads(value["SecretString"])["password"]
        except (sm.exceptions.ResourceNotFoundException, json.JSONDecodeError):
            continue
        if can_login(server, user, password):
            working.append(version["VersionId"])
    return working


def run_steps(secret_id: str, token: str, steps: tuple[str, ...] = STEPS) -> None:
    for step in steps:
        postgres_rotation.handler(
            {"SecretId": secret_id, "ClientRequestToken": token, "Step": step}, None
        )


def assert_rotated_to(
    sm: Any, server: PostgresServer, secret_id: str, role: Role, token: str
) -> dict[str, Any]:
    version, value = current(sm, secret_id)
    assert version == token
    assert value["password"] != role.password
    assert can_login(server, role.name, value["password"])
    assert not can_login(server, role.name, role.password)
    assert not any("AWSPENDING" in labels for labels in stages(sm, secret_id).values())
    return value


# 1. A full rotation --------------------------------------------------------------------------


def test_full_rotation_changes_the_database_password(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R2/T3: the four steps change the password; the new one logs in and the old one does not.

    The password reaches PostgreSQL only as a SCRAM verifier, so neither the server's statement
    log nor the function's log holds it; a second rotation starts from the clean end state.
    """
    caplog.set_level(logging.INFO, logger="postgres_rotation")
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))

    token = driver.rotate(secret_arn)

    assert driver.steps_run == list(STEPS)
    new = assert_rotated_to(sm, pg_server, secret_arn, role, token)
    assert stages(sm, secret_arn) == {token: ["AWSCURRENT"], first_version: ["AWSPREVIOUS"]}
    assert len(new["password"]) == 32
    assert not set(new["password"]) & set(postgres_rotation.EXCLUDED_CHARACTERS)
    assert {key: new[key] for key in ("engine", "host", "port", "username", "dbname")} == {
        "engine": "postgres",
        "host": pg_server.host,
        "port": pg_server.port,
        "username": role.name,
        "dbname": pg_server.database,
    }

    admin = pg_server.admin_connection()
    try:
        [[stored]] = admin.run(
            "SELECT rolpassword FROM pg_authid WHERE rolname = :name", name=role.name
        )
    finally:
        admin.close()
    assert stored.startswith("SCRAM-SHA-256$4096:")
    assert pg_server.log_path is not None
    server_log = pg_server.log_path.read_text()
    assert f"ALTER USER {pg8000.native.identifier(role.name)}" in server_log
    assert new["password"] not in server_log

    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "postgres_rotation"]
    assert {r["step"] for r in records} == set(STEPS)
    assert all(r["secret_arn"] == secret_arn for r in records)
    assert new["password"] not in caplog.text and role.password not in caplog.text

    second = driver.rotate(secret_arn)
    _, newer = current(sm, secret_arn)
    assert stages(sm, secret_arn) == {second: ["AWSCURRENT"], token: ["AWSPREVIOUS"]}
    assert can_login(pg_server, role.name, newer["password"])
    assert not can_login(pg_server, role.name, new["password"])


def test_server_requires_tls(pg_server: PostgresServer, role: Role) -> None:
    """T3: the test server refuses plaintext, so every rotation here ran over TLS."""
    with pytest.raises(pg8000.native.DatabaseError, match="no encryption"):
        pg8000.native.Connection(
            user=role.name,
            password=role.password,
            host=pg_server.host,
            port=pg_server.port,
            database=pg_server.database,
            ssl_context=False,
        )


# 2. Interrupted rotations ---------------------------------------------------------------------


@pytest.mark.parametrize("steps_done", [1, 2, 3, 4])
def test_interrupted_rotation_resumes_with_the_same_token(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver, steps_done: int
) -> None:
    """R2/T3: stopped after each step, then retried from createSecret with the same token.

    At the moment of interruption some stored version still logs in (nothing is lost even
    between setSecret and finishSecret, when AWSCURRENT is already stale), and the retry ends
    with AWSCURRENT on the new version and logging in.
    """
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    if steps_done < len(STEPS):
        with pytest.raises(Interrupted):
            driver.rotate(secret_arn, token, stop_after=steps_done)
    else:
        driver.rotate(secret_arn, token, stop_after=steps_done)
    assert driver.steps_run == list(STEPS[:steps_done])
    assert working_versions(sm, pg_server, secret_arn, role.name)
    # Between setSecret and finishSecret the database already has the pending password.
    assert can_login(pg_server, role.name, role.password) == (steps_done < 2)

    run_steps(secret_arn, token)

    assert_rotated_to(sm, pg_server, secret_arn, role, token)


@pytest.mark.parametrize("steps_done", [2, 3])
def test_abandoned_rotation_then_new_token(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver, steps_done: int
) -> None:
    """R2/T3: a rotation abandoned after the database changed, then a rotation with a new token.

    The new RotateSecret takes the AWSPENDING label away from the abandoned version, whose
    password is now the database's and is held by no label; setSecret still finds it.
    """
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    abandoned = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, abandoned, stop_after=steps_done)
    assert working_versions(sm, pg_server, secret_arn, role.name) == [abandoned]

    token = driver.rotate(secret_arn)

    assert token != abandoned
    assert driver.steps_run == list(STEPS)
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_rotation_recovers_through_awsprevious(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2/T3: AWSCURRENT was overwritten by hand with a password the database never got.

    The database still has the AWSPREVIOUS password; setSecret logs in with it and the rotation
    ends consistent again.
    """
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))
    sm.put_secret_value(
        SecretId=secret_arn,
        SecretString=json.dumps(secret_value(pg_server, role, password="typed-by-hand-Xy1!")),
        VersionStages=["AWSCURRENT"],
    )
    assert stages(sm, secret_arn)[first_version] == ["AWSPREVIOUS"]

    token = driver.rotate(secret_arn)

    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_malformed_awsprevious_does_not_end_the_search(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """Issue 18, data N4: AWSCURRENT holds a password the database never got, AWSPREVIOUS is
    not JSON, and the database's password sits only in a version an abandoned rotation left.
    setSecret skips the unreadable AWSPREVIOUS as it skips unreadable abandoned versions, finds
    the abandoned version's password and the rotation completes."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    abandoned = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, abandoned, stop_after=2)
    sm.put_secret_value(
        SecretId=secret_arn, SecretString="pasted by hand, not JSON", VersionStages=["AWSCURRENT"]
    )
    sm.put_secret_value(
        SecretId=secret_arn,
        SecretString=json.dumps(secret_value(pg_server, role, password="stale-by-hand-Xy1!")),
        VersionStages=["AWSCURRENT"],
    )
    previous = sm.get_secret_value(SecretId=secret_arn, VersionStage="AWSPREVIOUS")
    assert previous["SecretString"] == "pasted by hand, not JSON"
    assert working_versions(sm, pg_server, secret_arn, role.name) == [abandoned]

    token = driver.rotate(secret_arn)

    assert driver.steps_run == list(STEPS)
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_set_secret_overtaken_by_an_overlapping_invocation(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """Issue 18, data N4: an invocation whose AWSPENDING login fails, and which another
    invocation for the same token then overtakes (the database now has the pending password,
    so AWSCURRENT no longer logs in either), tries AWSPENDING once more instead of raising a
    spurious DatabaseLoginError. The interleaving is forced: the other invocation runs right
    after the late one's first login attempt."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, token, stop_after=1)
    late = postgres_rotation.Rotation(sm, secret_arn, token, "setSecret")
    assert late._validate()
    login = late._login
    tried: list[str] = []

    def overtaken_after_first_login(target: dict[str, Any], password: str) -> Any:
        connection = login(target, password)
        tried.append(password)
        if len(tried) == 1:
            assert connection is None  # the pending password is not the database's yet
            run_steps(secret_arn, token, ("setSecret",))
        return connection

    late._login = overtaken_after_first_login  # type: ignore[method-assign]
    late._set_secret()

    pending = json.loads(
        sm.get_secret_value(SecretId=secret_arn, VersionId=token, VersionStage="AWSPENDING")[
            "SecretString"
        ]
    )["password"]
    assert tried[0] == pending and tried[-1] == pending and role.password in tried
    run_steps(secret_arn, token, ("testSecret", "finishSecret"))
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_concurrent_set_secret_invocations_all_succeed(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """Issue 18, data N4: three setSecret invocations for one token at once (retries or a manual
    run overlapping Secrets Manager's) all return; none raises DatabaseLoginError, and the
    rotation then finishes with the pending password logging in. Two that log in before either
    changes the password both run ALTER USER, and PostgreSQL fails the later one with 'tuple
    concurrently updated' (XX000); that invocation finds the pending password working and
    succeeds too (before the fix, most runs of this test failed one way or the other)."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, token, stop_after=1)
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def invoke() -> None:
        start.wait(timeout=10)
        try:
            run_steps(secret_arn, token, ("setSecret",))
        except BaseException as exc:  # kept, so the assertion below sees every thread
            errors.append(exc)

    threads = [threading.Thread(target=invoke) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t for t in threads if t.is_alive()]
    assert errors == []
    run_steps(secret_arn, token, ("testSecret", "finishSecret"))
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


# 3. createSecret is idempotent ----------------------------------------------------------------


def test_create_secret_twice_reuses_the_pending_value(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2: a retried createSecret keeps the AWSPENDING value instead of generating another."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, token, stop_after=1)
    first = sm.get_secret_value(SecretId=secret_arn, VersionId=token, VersionStage="AWSPENDING")
    before = stages(sm, secret_arn)

    run_steps(secret_arn, token, ("createSecret",))

    again = sm.get_secret_value(SecretId=secret_arn, VersionId=token, VersionStage="AWSPENDING")
    assert again["SecretString"] == first["SecretString"]
    assert json.loads(first["SecretString"])["password"] != role.password
    assert stages(sm, secret_arn) == before


# 4. Clear errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"host": None}, r"missing required key\(s\): host"),
        ({"password": None, "dbname": None}, r"missing required key\(s\): password, dbname"),
        ({"engine": "mysql"}, r"engine 'mysql'"),
        ({"port": "five-four-three-two"}, r"non-numeric port"),
    ],
)
def test_malformed_secret_is_rejected(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    overrides: dict[str, Any],
    message: str,
) -> None:
    """R2: a secret without the expected shape fails before anything changes, naming the key."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role, **overrides))
    with pytest.raises(postgres_rotation.RotationConfigError, match=message):
        driver.rotate(secret_arn)
    assert driver.steps_run == []
    assert can_login(pg_server, role.name, role.password)


def test_aurora_engine_is_accepted(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2/D1: an Aurora PostgreSQL secret rotates the same way."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role, engine="aurora-postgresql"))
    token = driver.rotate(secret_arn)
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_token_without_awspending_is_rejected(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2: only the version being rotated (AWSPENDING) may be acted on; unknown tokens fail."""
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))
    driver.rotate(secret_arn)

    with pytest.raises(postgres_rotation.RotationConfigError, match="has no AWSPENDING stage"):
        run_steps(secret_arn, first_version, ("setSecret",))
    unknown = str(uuid.uuid4())
    with pytest.raises(postgres_rotation.RotationConfigError, match=f"{unknown} is not a version"):
        run_steps(secret_arn, unknown, ("createSecret",))


def test_rotation_not_enabled_is_rejected(pg_server: PostgresServer, role: Role, sm: Any) -> None:
    """R2: a secret whose rotation is off is never rotated, even with a pending version."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    sm.put_secret_value(
        SecretId=secret_arn,
        ClientRequestToken=token,
        SecretString=json.dumps(secret_value(pg_server, role)),
        VersionStages=["AWSPENDING"],
    )
    with pytest.raises(postgres_rotation.RotationConfigError, match="not enabled for rotation"):
        run_steps(secret_arn, token, ("createSecret",))


def test_unreachable_database_names_host_and_port(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2/R3: a closed port fails setSecret with an error naming host:port; nothing is lost."""
    port = free_tcp_port()
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role, port=port))
    with pytest.raises(postgres_rotation.DatabaseUnreachableError, match=f"127.0.0.1:{port}"):
        driver.rotate(secret_arn)
    assert driver.steps_run == ["createSecret"]
    assert current(sm, secret_arn)[0] == first_version


def test_pending_pointing_elsewhere_is_refused(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2/R5: a pending version rewritten to another host never receives the current password."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, token, stop_after=1)
    sm.put_secret_value(
        SecretId=secret_arn,
        ClientRequestToken=token,
        VersionStages=["AWSPENDING"],
        SecretString=json.dumps(secret_value(pg_server, role, host="db.attacker.example")),
    )
    with pytest.raises(postgres_rotation.RotationConfigError, match="AWSPENDING host differs"):
        run_steps(secret_arn, token, ("setSecret",))
    assert can_login(pg_server, role.name, role.password)


def test_invalid_password_length_is_rejected(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R2: PASSWORD_LENGTH is validated and named; a valid one is honoured."""
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    monkeypatch.setenv("PASSWORD_LENGTH", "8")
    with pytest.raises(postgres_rotation.RotationConfigError, match="PASSWORD_LENGTH=8"):
        driver.rotate(secret_arn)
    monkeypatch.setenv("PASSWORD_LENGTH", "48")
    run_steps(secret_arn, driver_pending_token(sm, secret_arn))
    assert len(current(sm, secret_arn)[1]["password"]) == 48


def driver_pending_token(sm: Any, secret_id: str) -> str:
    return next(v for v, labels in stages(sm, secret_id).items() if "AWSPENDING" in labels)


def test_secrets_manager_endpoint_from_environment(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R3: the function talks to the endpoint it is given (VPC endpoint without private DNS)."""
    endpoint = f"https://secretsmanager.{REGION}.amazonaws.com"
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT", endpoint)
    assert postgres_rotation.secrets_client().meta.endpoint_url == endpoint
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT")
    assert postgres_rotation.secrets_client().meta.endpoint_url.startswith("https://")


# 5. TLS verification --------------------------------------------------------------------------


def test_rotation_verifies_the_server_certificate(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R2/R3: with DB_CA_BUNDLE set to the server's CA the rotation verifies and succeeds."""
    monkeypatch.setenv("DB_CA_BUNDLE", str(pg_server.cert_path))
    context = postgres_rotation.tls_context()
    assert context.check_hostname and context.verify_mode.name == "CERT_REQUIRED"

    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = driver.rotate(secret_arn)

    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_rotation_verifies_through_the_deployed_bundle_path(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """R8, T3: the CA bundle takes the deployed path: the component packs the configured file
    into the archive as `rds-ca-bundle.pem`, the environment names it relative to the code
    directory, and the function verifies the real server against it."""
    assert pg_server.cert_path is not None
    archive = package.build_archive(
        "postgres_rotation",
        package.DRIVER_DISTRIBUTIONS,
        {BUNDLE_NAME: pulumi.FileAsset(str(pg_server.cert_path))},
    )
    task_root = tmp_path / "task"
    for archive_path, asset in archive.assets.items():
        target = task_root / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(Path(asset.path).read_bytes())
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(task_root))
    monkeypatch.setenv("DB_CA_BUNDLE", BUNDLE_NAME)
    secret_arn, _ = create_secret(sm, secret_value(pg_server, role))
    token = driver.rotate(secret_arn)
    assert_rotated_to(sm, pg_server, secret_arn, role, token)


def test_rotation_fails_on_an_untrusted_certificate(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """R2/R3: a server whose certificate the bundle does not sign is not sent any password."""
    other_ca, _ = make_self_signed_certificate(tmp_path, "other-ca")
    monkeypatch.setenv("DB_CA_BUNDLE", str(other_ca))
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))

    with pytest.raises(postgres_rotation.DatabaseTLSError) as caught:
        driver.rotate(secret_arn)

    message = str(caught.value)
    assert f"{pg_server.host}:{pg_server.port}" in message
    assert "certificate verify failed" in message or "self-signed" in message
    assert str(other_ca) in message
    assert current(sm, secret_arn)[0] == first_version
    assert can_login(pg_server, role.name, role.password)


def test_missing_ca_bundle_file_is_an_error(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """R2: a configured but absent CA bundle fails closed instead of skipping verification."""
    monkeypatch.setenv("DB_CA_BUNDLE", "/nonexistent/rds-ca.pem")
    with pytest.raises(postgres_rotation.RotationConfigError, match="DB_CA_BUNDLE"):
        postgres_rotation.tls_context()


def test_no_ca_bundle_means_no_connection(
    pg_server: PostgresServer,
    role: Role,
    sm: Any,
    driver: SecretsManagerDriver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R8 (issue: the deployed function never verified the server): without DB_CA_BUNDLE the
    function refuses to log in at all, so no password leaves it unverified."""
    monkeypatch.delenv("DB_CA_BUNDLE")
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))
    with pytest.raises(postgres_rotation.RotationConfigError, match="DB_CA_BUNDLE is not set"):
        driver.rotate(secret_arn)
    assert current(sm, secret_arn)[0] == first_version
    assert can_login(pg_server, role.name, role.password)


def test_relative_ca_bundle_is_found_in_the_code_directory(
    trusted_ca: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """R8: the deployed environment names the bundle relative to the function's code
    (`LAMBDA_TASK_ROOT`), where the archive puts it."""
    (tmp_path / "rds-ca-bundle.pem").write_bytes(trusted_ca.read_bytes())
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.setenv("DB_CA_BUNDLE", "rds-ca-bundle.pem")
    assert postgres_rotation.ca_bundle_path() == str(tmp_path / "rds-ca-bundle.pem")


def test_server_refusing_tls_is_reported_as_such(aws: None, trusted_ca: Path) -> None:
    """R8 (issue: a refused TLS handshake was reported as a timeout): a server that answers the
    SSL request with 'N' is named as refusing TLS, and nothing else is sent to it."""
    received: list[bytes] = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]

    def refuse() -> None:
        connection, _ = listener.accept()
        with connection:
            received.append(connection.recv(8))  # SSLRequest: length 8, code 80877103
            connection.sendall(b"N")
            received.append(connection.recv(1024))

    thread = threading.Thread(target=refuse, daemon=True)
    thread.start()
    rotation = postgres_rotation.Rotation.__new__(postgres_rotation.Rotation)
    target = {"host": "127.0.0.1", "port": port, "username": "u", "dbname": "d"}
    try:
        with pytest.raises(postgres_rotation.DatabaseTLSError, match="refused TLS"):
            rotation._login(target, "secret-password")
    finally:
        thread.join(timeout=5)
        listener.close()
    assert received[0] == (8).to_bytes(4, "big") + (80877103).to_bytes(4, "big")
    assert received[1] == b""


def test_overlapping_finish_secret_keeps_awsprevious(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """R2 (issue: overlapping finishSecret calls lost AWSPREVIOUS): two finishSecret
    invocations for one token both pass validation before either moves AWSCURRENT; the second
    then finds the token already AWSCURRENT and touches no label. Secrets Manager moves
    AWSPREVIOUS to whichever version AWSCURRENT leaves (UpdateSecretVersionStage), so moving
    AWSCURRENT from the token onto itself would take AWSPREVIOUS off the old password; moto
    does not model that, so the test watches the calls."""
    secret_arn, first_version = create_secret(sm, secret_value(pg_server, role))
    token = str(uuid.uuid4())
    with pytest.raises(Interrupted):
        driver.rotate(secret_arn, token, stop_after=3)
    moves: list[dict[str, Any]] = []

    class Watched:
        def __getattr__(self, name: str) -> Any:
            return getattr(sm, name)

        def update_secret_version_stage(self, **kwargs: Any) -> Any:
            moves.append(kwargs)
            return sm.update_secret_version_stage(**kwargs)

    first, second = (
        postgres_rotation.Rotation(Watched(), secret_arn, token, "finishSecret") for _ in range(2)
    )
    assert first._validate() and second._validate()
    first._finish_secret()
    second._finish_secret()
    assert [m["MoveToVersionId"] for m in moves if m["VersionStage"] == "AWSCURRENT"] == [token]
    assert stages(sm, secret_arn) == {token: ["AWSCURRENT"], first_version: ["AWSPREVIOUS"]}


def test_pulumi_created_version_keeps_a_label_after_two_rotations(
    pg_server: PostgresServer, role: Role, sm: Any, driver: SecretsManagerDriver
) -> None:
    """Issue 18, data N2: the secret's first version as the program creates it (the
    SecretVersion's inputs from the real dev program: PutSecretValue with its VersionStages,
    as terraform-provider-aws sends them) still carries a label after two rotations, so Secrets
    Manager never deprecates it and the provider's read of it (GetSecretValue by VersionId, what
    `pulumi refresh` does) finds it: no re-create puts the initial password back. The rotation
    function tolerates the extra label: both rotations complete and AWSCURRENT logs in."""
    from support import stack_run

    (version,) = stack_run("dev").of_type("aws:secretsmanager/secretVersion:SecretVersion")
    labels_sent = version.inputs.get("versionStages")
    secret_arn = sm.create_secret(Name=f"db-master-{uuid.uuid4().hex[:8]}")["ARN"]
    put: dict[str, Any] = {"SecretString": json.dumps(secret_value(pg_server, role))}
    if labels_sent is not None:
        put["VersionStages"] = labels_sent
    initial = sm.put_secret_value(SecretId=secret_arn, **put)["VersionId"]

    first = driver.rotate(secret_arn)
    second = driver.rotate(secret_arn)

    labels = stages(sm, secret_arn)
    assert labels.get(initial), f"the initial version has no label left: {labels}"
    assert "AWSCURRENT" not in labels[initial] and "AWSPREVIOUS" not in labels[initial]
    assert labels[second] == ["AWSCURRENT"] and labels[first] == ["AWSPREVIOUS"]
    assert sm.get_secret_value(SecretId=secret_arn, VersionId=initial)["VersionId"] == initial
    _, value = current(sm, secret_arn)
    assert can_login(pg_server, role.name, value["password"])
    assert not can_login(pg_server, role.name, role.password)


# 6. Parameter Store rotation ------------------------------------------------------------------


def test_parameter_store_rotation(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """R7: a new SecureString version under the CMK; the old one stays in the history."""
    kms_key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["KeyId"]
    ssm = boto3.client("ssm", region_name=REGION)
    name = "/dev/app/db-password"
    ssm.put_parameter(Name=name, Value="initial-Value-1", Type="SecureString", KeyId=kms_key)
    monkeypatch.setenv("PARAMETER_NAME", name)
    monkeypatch.setenv("KMS_KEY_ID", kms_key)
    monkeypatch.setenv("PASSWORD_LENGTH", "40")

    result = ssm_rotation.handler({"source": "aws.events"}, None)

    assert result == {"parameter": name, "version": 2, "previous_version": 1}
    parameter = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]
    new_value = parameter["Value"]
    assert parameter["Type"] == "SecureString" and parameter["Version"] == 2
    assert new_value != "initial-Value-1" and len(new_value) == 40
    assert not set(new_value) & set("/@\"'\\ `")
    assert new_value not in json.dumps(result)
    [described] = ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [name]}])[
        "Parameters"
    ]
    assert described["KeyId"] == kms_key
    history = ssm.get_parameter_history(Name=name, WithDecryption=True)["Parameters"]
    assert [(h["Version"], h["Value"]) for h in history] == [(1, "initial-Value-1"), (2, new_value)]
    assert all(h["KeyId"] == kms_key for h in history)
    previous = ssm.get_parameter(Name=f"{name}:1", WithDecryption=True)["Parameter"]
    assert previous["Value"] == "initial-Value-1"

    assert ssm_rotation.handler({}, None)["version"] == 3
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] != new_value


def test_parameter_store_rotation_names_missing_settings(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R7: a function deployed without its parameter or key says which setting is missing."""
    with pytest.raises(ssm_rotation.ParameterRotationConfigError, match="PARAMETER_NAME"):
        ssm_rotation.handler({}, None)
    monkeypatch.setenv("PARAMETER_NAME", "/dev/app/db-password")
    with pytest.raises(ssm_rotation.ParameterRotationConfigError, match="KMS_KEY_ID"):
        ssm_rotation.handler({}, None)


def test_generated_parameter_passwords_have_every_class() -> None:
    """R7: each generated password mixes classes and avoids connection-string breakers."""
    for _ in range(200):
        password = ssm_rotation.generate_password(16)
        assert len(password) == 16
        assert any(c.islower() for c in password) and any(c.isupper() for c in password)
        assert any(c.isdigit() for c in password)
        assert any(c in ssm_rotation.PUNCTUATION for c in password)
        assert not set(password) & set("/@\"'\\ `")


# 7. Packaging ---------------------------------------------------------------------------------


def test_bundle_holds_handler_and_driver() -> None:
    """R2: the archive carries the handler and the pure-Python driver, and nothing stale."""
    files = package.bundle_files("postgres_rotation")
    assert files["postgres_rotation.py"] == LAMBDA_SRC / "postgres_rotation.py"
    for required in (
        "pg8000/__init__.py",
        "pg8000/native.py",
        "scramp/__init__.py",
        "asn1crypto/__init__.py",
        "dateutil/__init__.py",
        "six.py",
    ):
        assert required in files, required
    assert package.resolve_distributions(["pg8000"]) == [
        "asn1crypto",
        "pg8000",
        "python-dateutil",
        "scramp",
        "six",
    ]
    assert not [p for p in files if "__pycache__" in p or p.endswith((".pyc", "/RECORD"))]
    assert not [p for p in files if p.startswith(("boto3/", "botocore/"))]
    assert package.bundle_files("ssm_rotation", ()) == {
        "ssm_rotation.py": LAMBDA_SRC / "ssm_rotation.py"
    }


def test_bundled_driver_versions_are_locked_with_hashes() -> None:
    """Issue 18, data N9: every distribution bundled into the function has an exact version
    and a wheel hash in the lock (pip's --require-hashes format), and the installed versions
    are the locked ones, so every machine packages the same driver."""
    lock = package.driver_lock()
    bundled = package.resolve_distributions(package.DRIVER_DISTRIBUTIONS)
    assert sorted(lock) == sorted(canonical(name) for name in bundled)
    for name, (version, hashes) in lock.items():
        assert version == importlib.metadata.version(name), name
        assert hashes and all(len(h) == 64 for h in hashes), name
    text = package.DRIVER_LOCK.read_text()
    assert "--hash=sha256:" in text


def test_packaging_refuses_a_driver_version_other_than_the_locked_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 18, data N9: an environment with another pg8000 (or any bundled distribution)
    than the lock names cannot build the archive; the error names the distribution, both
    versions and the command that installs the locked ones."""
    locked = package.driver_lock()
    monkeypatch.setattr(
        package,
        "driver_lock",
        lambda: {**locked, "pg8000": ("1.0.0", locked["pg8000"][1])},
    )
    with pytest.raises(RuntimeError) as caught:
        package.bundle_files("postgres_rotation")
    message = str(caught.value)
    assert "pg8000" in message and "1.0.0" in message
    assert importlib.metadata.version("pg8000") in message
    assert "--require-hashes" in message
    # A distribution missing from the lock is refused the same way.
    monkeypatch.setattr(
        package, "driver_lock", lambda: {k: v for k, v in locked.items() if k != "six"}
    )
    with pytest.raises(RuntimeError, match="six"):
        package.bundle_files("postgres_rotation")


def test_bundle_is_deterministic(tmp_path: Path) -> None:
    """R2: two builds give the same digest; any change to a file changes it."""
    first = package.bundle_files("postgres_rotation")
    second = package.bundle_files("postgres_rotation")
    assert package.archive_digest(first) == package.archive_digest(second)
    assert list(first) == sorted(first)

    changed = tmp_path / "postgres_rotation.py"
    changed.write_bytes(first["postgres_rotation.py"].read_bytes() + b"\n")
    assert package.archive_digest({**first, "postgres_rotation.py": changed}) != (
        package.archive_digest(first)
    )

    archive = package.build_archive("postgres_rotation")
    assert sorted(archive.assets) == sorted(first)
    assert archive.assets["pg8000/__init__.py"].path == str(first["pg8000/__init__.py"])


def test_bundled_handler_imports_with_only_the_lambda_runtime(tmp_path: Path) -> None:
    """R2: the extracted bundle plus what the Lambda runtime provides is enough to import.

    The child interpreter runs without site-packages; besides the bundle it sees only boto3 and
    its own dependencies (as the runtime provides), so the driver must come from the bundle.
    """
    bundle_dir = tmp_path / "bundle"
    for archive_path, local in package.bundle_files("postgres_rotation").items():
        target = bundle_dir / archive_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(local.read_bytes())
    runtime_dir = tmp_path / "runtime"
    runtime_dir.mkdir()
    import boto3 as boto3_module
    import botocore
    import jmespath
    import s3transfer
    import urllib3

    for module in (boto3_module, botocore, jmespath, s3transfer, urllib3):
        source = Path(module.__file__).parent
        (runtime_dir / source.name).symlink_to(source, target_is_directory=True)

    probe = (
        "import json, sys\n"
        f"sys.path[:0] = [{str(bundle_dir)!r}, {str(runtime_dir)!r}]\n"
        "import postgres_rotation, pg8000.native, scramp, asn1crypto, dateutil, six\n"
        "print(json.dumps({m.__name__: m.__file__ for m in "
        "(postgres_rotation, pg8000.native, scramp, asn1crypto, dateutil, six)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    locations = json.loads(result.stdout)
    assert set(locations) == {
        "postgres_rotation",
        "pg8000.native",
        "scramp",
        "asn1crypto",
        "dateutil",
        "six",
    }
    for module, location in locations.items():
        assert location.startswith(str(bundle_dir)), (module, location)
