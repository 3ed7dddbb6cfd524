"""Secrets Manager rotation function for a PostgreSQL master user, single-user strategy (R2).

Secrets Manager invokes :func:`handler` four times per rotation, each with the same
``ClientRequestToken`` (the ID of the new secret version) and one ``Step``:

``createSecret``
    Store a new password in the AWSPENDING version, unless that version already has one.
``setSecret``
    Make the database accept the AWSPENDING password, logging in with whichever stored password
    the database still accepts.
``testSecret``
    Log in with the AWSPENDING password.
``finishSecret``
    Move AWSCURRENT to the new version.

Every step is idempotent, and Secrets Manager retries a failed step with the same token, so a
rotation interrupted anywhere finishes on a later invocation with no credential lost.

The secret's value is JSON: ``engine`` (``postgres`` or ``aurora-postgresql``), ``host``,
``port``, ``username``, ``password`` and ``dbname``; other keys are carried over unchanged.

Environment:

``SECRETS_MANAGER_ENDPOINT``
    Endpoint URL for Secrets Manager (an interface endpoint without private DNS, or a test
    emulator); the SDK default when unset.
``PASSWORD_LENGTH``
    Length of generated passwords, default 32.
``DB_CONNECT_TIMEOUT``
    Seconds to wait for the database, default 5.
``DB_CA_BUNDLE``
    Path to a PEM bundle of the CAs that sign the database's certificate (the RDS CA bundle the
    deploying component packs beside this module); a relative path is relative to the
    function's code directory (``LAMBDA_TASK_ROOT``). Required: the server's certificate and
    host name are always verified (see :func:`tls_context`).
``LOG_LEVEL``
    Python logging level, default ``INFO``.

Passwords never appear in logs or in the database's statement log: the new password reaches
PostgreSQL only as a SCRAM-SHA-256 verifier computed here (see :func:`scram_verifier`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import secrets
import ssl
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import boto3
import pg8000.native
import scramp
from botocore.exceptions import ClientError

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
SUPPORTED_ENGINES = frozenset({"postgres", "aurora-postgresql"})
REQUIRED_KEYS = ("engine", "host", "port", "username", "password", "dbname")
# Characters that break connection strings, URLs or quoted SQL if a password is pasted into one.
EXCLUDED_CHARACTERS = "/@\"'\\ "
DEFAULT_PASSWORD_LENGTH = 32
MIN_PASSWORD_LENGTH = 16
MAX_PASSWORD_LENGTH = 128
DEFAULT_CONNECT_TIMEOUT = 5.0
# Versions that lost their staging labels are only a last resort for setSecret; bounding the
# search keeps a secret with a long history from turning one step into many login attempts.
MAX_ABANDONED_VERSIONS = 10
SCRAM_ITERATIONS = 4096
_AUTH_FAILED_SQLSTATES = frozenset({"28P01", "28000"})

logger = logging.getLogger(__name__)
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


class RotationError(Exception):
    """Base class of every error this function raises on purpose."""


class RotationConfigError(RotationError, ValueError):
    """The secret, the event or the environment is not fit for rotation."""


class DatabaseUnreachableError(RotationError):
    """No connection to the database server could be opened."""


class DatabaseTLSError(RotationError):
    """The TLS handshake with the database failed, typically certificate verification."""


class DatabaseLoginError(RotationError):
    """The database rejected every password this step was allowed to try."""


def handler(event: dict[str, Any], context: object) -> None:
    """Lambda entry point: run one rotation step for one secret version."""
    try:
        secret_id = event["SecretId"]
        token = event["ClientRequestToken"]
        step = event["Step"]
    except KeyError as exc:
        raise RotationConfigError(f"rotation event has no {exc.args[0]!r} field") from exc
    if step not in STEPS:
        raise RotationConfigError(f"unknown rotation step {step!r}; expected one of {STEPS}")
    Rotation(secrets_client(), secret_id, token, step).run()


def secrets_client() -> Any:
    """A Secrets Manager client, on ``SECRETS_MANAGER_ENDPOINT`` when that is set."""
    endpoint = os.environ.get("SECRETS_MANAGER_ENDPOINT") or None
    return boto3.client("secretsmanager", endpoint_url=endpoint)


def password_length() -> int:
    """The generated password length from ``PASSWORD_LENGTH``, validated."""
    raw = os.environ.get("PASSWORD_LENGTH", str(DEFAULT_PASSWORD_LENGTH))
    try:
        length = int(raw)
    except ValueError as exc:
        raise RotationConfigError(f"PASSWORD_LENGTH={raw!r} is not an integer") from exc
    if not MIN_PASSWORD_LENGTH <= length <= MAX_PASSWORD_LENGTH:
        raise RotationConfigError(
            f"PASSWORD_LENGTH={length} is outside {MIN_PASSWORD_LENGTH}..{MAX_PASSWORD_LENGTH}"
        )
    return length


def connect_timeout() -> float:
    """Seconds to wait for the database, from ``DB_CONNECT_TIMEOUT``."""
    raw = os.environ.get("DB_CONNECT_TIMEOUT", str(DEFAULT_CONNECT_TIMEOUT))
    try:
        timeout = float(raw)
    except ValueError as exc:
        raise RotationConfigError(f"DB_CONNECT_TIMEOUT={raw!r} is not a number") from exc
    if timeout <= 0:
        raise RotationConfigError(f"DB_CONNECT_TIMEOUT={raw!r} must be positive")
    return timeout


def ca_bundle_path() -> str:
    """The CA bundle file ``DB_CA_BUNDLE`` names, resolved against the code directory."""
    bundle = os.environ.get("DB_CA_BUNDLE")
    if not bundle:
        raise RotationConfigError(
            "DB_CA_BUNDLE is not set: refusing to send database passwords to a server whose "
            "certificate cannot be verified"
        )
    root = os.environ.get("LAMBDA_TASK_ROOT") or os.path.dirname(os.path.abspath(__file__))
    path = bundle if os.path.isabs(bundle) else os.path.join(root, bundle)
    if not os.path.isfile(path):
        raise RotationConfigError(f"DB_CA_BUNDLE={bundle!r} is not a readable file ({path})")
    return path


def tls_context() -> ssl.SSLContext:
    """The TLS context for every database connection: TLS 1.2 or later, the server's
    certificate chaining to the ``DB_CA_BUNDLE`` CAs and naming the secret's ``host``
    (CERT_REQUIRED, check_hostname). There is no unverified mode: anything that answers on the
    database's address inside the VPC would otherwise receive the old and new passwords."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca_bundle_path())
    context.verify_mode = ssl.CERT_REQUIRED
    context.check_hostname = True
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def scram_verifier(password: str) -> str:
    """The SCRAM-SHA-256 verifier PostgreSQL stores for ``password``.

    ``ALTER USER ... PASSWORD`` with a verifier instead of the password keeps the plaintext out
    of the server's statement log and pgaudit's role audit (D6 turns those on), while clients
    still log in with the password through SCRAM.
    """
    mechanism = scramp.ScramMechanism("SCRAM-SHA-256")
    salt, stored_key, server_key, iterations = mechanism.make_auth_info(
        password, iteration_count=SCRAM_ITERATIONS, salt=secrets.token_bytes(16)
    )

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode("ascii")

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def parse_secret(secret_string: str | None, label: str) -> dict[str, Any]:
    """Parse and validate one version's JSON; errors name the version and the missing key."""
    try:
        value = json.loads(secret_string or "")
    except json.JSONDecodeError as exc:
        raise RotationConfigError(f"the {label} secret value is not valid JSON") from exc
    if not isinstance(value, dict):
        raise RotationConfigError(f"the {label} secret value is not a JSON object")
    missing = [key for key in REQUIRED_KEYS if value.get(key) in (None, "")]
    if missing:
        raise RotationConfigError(
            f"the {label} secret value is missing required key(s): {', '.join(missing)}"
        )
    if value["engine"] not in SUPPORTED_ENGINES:
        raise RotationConfigError(
            f"the {label} secret has engine {value['engine']!r}; this function rotates only "
            f"{sorted(SUPPORTED_ENGINES)}"
        )
    try:
        value["port"] = int(value["port"])
    except (TypeError, ValueError) as exc:
        raise RotationConfigError(f"the {label} secret has a non-numeric port") from exc
    return value


class Rotation:
    """One invocation: one step of one rotation of one secret."""

    def __init__(self, client: Any, secret_id: str, token: str, step: str) -> None:
        self.client = client
        self.secret_id = secret_id
        self.token = token
        self.step = step
        self.secret_arn = secret_id
        self.current: dict[str, Any] = {}

    def run(self) -> None:
        """Validate the secret and the token, then run the step."""
        if not self._validate():
            return
        self._log(logging.INFO, "step started")
        steps = {
            "createSecret": self._create_secret,
            "setSecret": self._set_secret,
            "testSecret": self._test_secret,
            "finishSecret": self._finish_secret,
        }
        steps[self.step]()
        self._log(logging.INFO, "step finished")

    # Validation -------------------------------------------------------------------------------

    def _validate(self) -> bool:
        """Check the secret and token; False when there is nothing left to do."""
        metadata = self.client.describe_secret(SecretId=self.secret_id)
        self.secret_arn = metadata["ARN"]
        if not metadata.get("RotationEnabled"):
            raise RotationConfigError(f"secret {self.secret_arn} is not enabled for rotation")
        versions = metadata.get("VersionIdsToStages", {})
        if self.token not in versions:
            raise RotationConfigError(
                f"ClientRequestToken {self.token} is not a version of secret {self.secret_arn}"
            )
        stages = versions[self.token]
        if "AWSCURRENT" in stages:
            if self.step == "finishSecret" and "AWSPENDING" in stages:
                # An earlier finishSecret moved AWSCURRENT but stopped before dropping AWSPENDING.
                self._drop_pending_label()
            self._log(logging.INFO, "version is already AWSCURRENT; nothing to do")
            return False
        if "AWSPENDING" not in stages:
            raise RotationConfigError(
                f"version {self.token} of secret {self.secret_arn} has no AWSPENDING stage "
                f"(stages: {sorted(stages) or 'none'}), so it is not being rotated"
            )
        # Every step needs a well-formed current value: it is the template for the new version
        # and the identity the new password belongs to.
        self.current = self._get_value(stage="AWSCURRENT")
        return True

    # Steps ------------------------------------------------------------------------------------

    def _create_secret(self) -> None:
        try:
            self._get_value(version_id=self.token, stage="AWSPENDING")
        except ClientError as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
        else:
            self._log(logging.INFO, "AWSPENDING value already exists; reusing it")
            return
        password = self.client.get_random_password(
            PasswordLength=password_length(),
            ExcludeCharacters=EXCLUDED_CHARACTERS,
            RequireEachIncludedType=True,
        )["RandomPassword"]
        pending = {**self.current, "password": password}
        self.client.put_secret_value(
            SecretId=self.secret_arn,
            ClientRequestToken=self.token,
            SecretString=json.dumps(pending),
            VersionStages=["AWSPENDING"],
        )
        self._log(logging.INFO, "stored a new AWSPENDING value")

    def _set_secret(self) -> None:
        pending = self._pending()
        if self._pending_logs_in(pending):
            self._log(logging.INFO, "AWSPENDING password already works; nothing to set")
            return
        for source, password in self._fallback_passwords():
            connection = self._login(pending, password)
            if connection is None:
                continue
            try:
                connection.run(
                    f"ALTER USER {pg8000.native.identifier(pending['username'])} "
                    f"WITH PASSWORD {pg8000.native.literal(scram_verifier(pending['password']))}"
                )
            except pg8000.native.DatabaseError:
                # Two invocations altering the role at once: PostgreSQL fails the later ALTER
                # with 'tuple concurrently updated' (XX000) once the earlier one has committed
                # the same pending password. Only that outcome counts as success here.
                if not self._pending_logs_in(pending):
                    raise
                self._log(logging.INFO, "AWSPENDING password set by an overlapping invocation")
                return
            finally:
                connection.close()
            self._log(logging.INFO, "database password changed", logged_in_with=source)
            return
        # An overlapping invocation for this token (a retry, or a manual run beside Secrets
        # Manager's) may have set the pending password after the first try above and before the
        # fallbacks were tried; only then does every stored password fail, so ask once more.
        if self._pending_logs_in(pending):
            self._log(logging.INFO, "AWSPENDING password set by an overlapping invocation")
            return
        raise DatabaseLoginError(
            f"no stored password of secret {self.secret_arn} logs in as user "
            f"{pending['username']!r} at {_address(pending)} (tried AWSPENDING, AWSCURRENT, "
            "AWSPREVIOUS, versions left by abandoned rotations, then AWSPENDING again)"
        )

    def _test_secret(self) -> None:
        pending = self._pending()
        connection = self._login(pending, pending["password"])
        if connection is None:
            raise DatabaseLoginError(
                f"the AWSPENDING password of secret {self.secret_arn} does not log in as user "
                f"{pending['username']!r} at {_address(pending)}"
            )
        try:
            rows = connection.run("SELECT 1")
        finally:
            connection.close()
        if rows != [[1]]:
            raise RotationError(f"SELECT 1 at {_address(pending)} returned {rows!r}")

    def _finish_secret(self) -> None:
        metadata = self.client.describe_secret(SecretId=self.secret_arn)
        current_version = next(
            version
            for version, stages in metadata["VersionIdsToStages"].items()
            if "AWSCURRENT" in stages
        )
        if current_version == self.token:
            # Already finished (a retried or overlapping invocation): moving AWSCURRENT onto
            # the version that holds it would make Secrets Manager move AWSPREVIOUS there too,
            # and the previous password would lose its label.
            self._log(logging.INFO, "already AWSCURRENT")
            if "AWSPENDING" in metadata["VersionIdsToStages"].get(self.token, []):
                self._drop_pending_label()
            return
        self.client.update_secret_version_stage(
            SecretId=self.secret_arn,
            VersionStage="AWSCURRENT",
            MoveToVersionId=self.token,
            RemoveFromVersionId=current_version,
        )
        self._log(logging.INFO, "moved AWSCURRENT", previous_version=current_version)
        self._drop_pending_label()

    # Helpers ----------------------------------------------------------------------------------

    def _drop_pending_label(self) -> None:
        # Leaving no AWSPENDING label is an end state every RotateSecret implementation accepts;
        # some treat AWSPENDING on the current version as a rotation still in progress.
        self.client.update_secret_version_stage(
            SecretId=self.secret_arn, VersionStage="AWSPENDING", RemoveFromVersionId=self.token
        )

    def _get_value(self, *, stage: str, version_id: str | None = None) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"SecretId": self.secret_arn, "VersionStage": stage}
        if version_id is not None:
            kwargs["VersionId"] = version_id
        response = self.client.get_secret_value(**kwargs)
        return parse_secret(response.get("SecretString"), stage)

    def _pending_logs_in(self, pending: dict[str, Any]) -> bool:
        connection = self._login(pending, pending["password"])
        if connection is None:
            return False
        connection.close()
        return True

    def _pending(self) -> dict[str, Any]:
        pending = self._get_value(version_id=self.token, stage="AWSPENDING")
        # The pending version is the one place a writer could redirect the current password to
        # another server or user; it must describe the same identity as AWSCURRENT.
        for key in ("engine", "host", "port", "username"):
            if pending[key] != self.current[key]:
                raise RotationConfigError(
                    f"the AWSPENDING {key} differs from the AWSCURRENT {key} for secret "
                    f"{self.secret_arn}; refusing to rotate across identities"
                )
        return pending

    def _fallback_passwords(self) -> Iterator[tuple[str, str]]:
        """Passwords that may still be the database's, most likely first.

        AWSCURRENT is the usual one. AWSPREVIOUS covers a rotation interrupted between
        ``setSecret`` and ``finishSecret`` that was then finished by another route. Versions with
        no label cover a rotation abandoned after ``setSecret`` whose AWSPENDING label was moved
        to a new rotation's version: their password is the database's, and nothing else
        remembers it.
        """
        yield "AWSCURRENT", self.current["password"]
        try:
            previous = self._get_value(stage="AWSPREVIOUS")
        except ClientError as exc:
            if _error_code(exc) != "ResourceNotFoundException":
                raise
        except RotationConfigError as exc:
            # A malformed AWSPREVIOUS (non-JSON, missing keys) holds no usable password, but the
            # database's may still sit in an abandoned version: skip it as those are skipped.
            self._log(logging.WARNING, "AWSPREVIOUS skipped", reason=str(exc))
        else:
            if self._same_identity(previous):
                yield "AWSPREVIOUS", previous["password"]
        for version_id in self._abandoned_versions():
            try:
                response = self.client.get_secret_value(
                    SecretId=self.secret_arn, VersionId=version_id
                )
                value = parse_secret(response.get("SecretString"), f"version {version_id}")
            except (ClientError, RotationConfigError):
                continue
            if self._same_identity(value):
                yield f"version {version_id}", value["password"]

    def _abandoned_versions(self) -> list[str]:
        found: list[tuple[float, str]] = []
        for version in self._all_versions():
            stages = set(version.get("VersionStages") or [])
            if version["VersionId"] == self.token or stages & {"AWSCURRENT", "AWSPREVIOUS"}:
                continue
            created = version.get("CreatedDate")
            timestamp = created.timestamp() if isinstance(created, datetime) else 0.0
            found.append((timestamp, version["VersionId"]))
        found.sort(reverse=True)
        return [version_id for _, version_id in found[:MAX_ABANDONED_VERSIONS]]

    def _all_versions(self) -> Iterator[dict[str, Any]]:
        # botocore has no paginator for ListSecretVersionIds, so follow NextToken by hand.
        kwargs: dict[str, Any] = {"SecretId": self.secret_arn, "IncludeDeprecated": True}
        while True:
            page = self.client.list_secret_version_ids(**kwargs)
            yield from page.get("Versions", [])
            if not page.get("NextToken"):
                return
            kwargs["NextToken"] = page["NextToken"]

    def _same_identity(self, value: dict[str, Any]) -> bool:
        return all(value[key] == self.current[key] for key in ("host", "port", "username"))

    def _login(self, target: dict[str, Any], password: str) -> pg8000.native.Connection | None:
        """Connect over TLS; None when the server rejects the password."""
        try:
            return pg8000.native.Connection(
                user=target["username"],
                password=password,
                host=target["host"],
                port=target["port"],
                database=target["dbname"],
                ssl_context=tls_context(),
                timeout=connect_timeout(),
                application_name="secrets-manager-rotation",
            )
        except pg8000.native.DatabaseError as exc:
            details = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            if details.get("C") in _AUTH_FAILED_SQLSTATES:
                return None
            raise RotationError(
                f"PostgreSQL at {_address(target)} refused the connection: "
                f"{details.get('C', '?')} {details.get('M', exc)}"
            ) from exc
        except ssl.SSLError as exc:
            bundle = os.environ.get("DB_CA_BUNDLE")
            raise DatabaseTLSError(
                f"TLS handshake with PostgreSQL at {_address(target)} failed "
                f"(DB_CA_BUNDLE: {bundle}): {exc.__class__.__name__}: "
                f"{getattr(exc, 'verify_message', None) or exc.reason}"
            ) from exc
        except pg8000.native.InterfaceError as exc:
            if "refuses SSL" in str(exc):
                raise DatabaseTLSError(
                    f"PostgreSQL at {_address(target)} refused TLS (it answered the SSL request "
                    "with 'no'): the rotation never logs in without TLS"
                ) from exc
            raise DatabaseUnreachableError(
                f"cannot reach PostgreSQL at {_address(target)} within {connect_timeout()} s: {exc}"
            ) from exc
        except OSError as exc:
            raise DatabaseUnreachableError(
                f"cannot reach PostgreSQL at {_address(target)} within {connect_timeout()} s: {exc}"
            ) from exc

    def _log(self, level: int, message: str, **fields: Any) -> None:
        record = {
            "message": message,
            "step": self.step,
            "secret_arn": self.secret_arn,
            "version_id": self.token,
            **fields,
        }
        logger.log(level, json.dumps(record, sort_keys=True, default=str))


def _address(target: dict[str, Any]) -> str:
    return f"{target['host']}:{target['port']}"


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
