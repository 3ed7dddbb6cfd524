"""Scheduled rotation of a password kept in SSM Parameter Store as a SecureString (R7).

An EventBridge schedule invokes :func:`handler`; the event's content is not used. Each run
writes a fresh password as a new version of the parameter, encrypted under the configured KMS
key. Parameter Store keeps earlier versions in the parameter's history (``name:version``
selectors, ``GetParameterHistory``), so whatever still holds the previous password can be
traced and the old value recovered while consumers switch over.

Environment:

``PARAMETER_NAME``
    The SecureString parameter to rotate.
``KMS_KEY_ID``
    The KMS key (ID, ARN or alias) that encrypts the new version.
``PASSWORD_LENGTH``
    Length of the generated password, default 32.
``SSM_ENDPOINT``
    Endpoint URL for SSM (an interface endpoint without private DNS, or a test emulator); the
    SDK default when unset.
``LOG_LEVEL``
    Python logging level, default ``INFO``.

The password is generated here with :mod:`secrets` (the operating system's CSPRNG) rather than
Secrets Manager's ``GetRandomPassword``: that API cannot be scoped to a resource, so using it
would add a ``Resource: "*"`` statement and a Secrets Manager endpoint to a function that
otherwise needs only ``ssm:PutParameter`` on one parameter and ``kms:Encrypt`` on one key.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import string
from typing import Any

import boto3

DEFAULT_PASSWORD_LENGTH = 32
MIN_PASSWORD_LENGTH = 16
# Standard-tier parameters hold 4 KB; 1024 leaves room and is far beyond any real need.
MAX_PASSWORD_LENGTH = 1024
# Punctuation minus the characters that break connection strings, URLs or quoted SQL
# (/ @ " ' \ and space, the same set the database rotation excludes) and the shell's backtick.
PUNCTUATION = "!#$%&()*+,-.:;<=>?[]^_{|}~"
ALPHABET = string.ascii_lowercase + string.ascii_uppercase + string.digits + PUNCTUATION
_CHARACTER_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits, PUNCTUATION)

logger = logging.getLogger(__name__)
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


class ParameterRotationConfigError(ValueError):
    """The function's environment does not describe a parameter it can rotate."""


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Write a new password version; return the parameter name and version numbers only."""
    name = _required_env("PARAMETER_NAME")
    key_id = _required_env("KMS_KEY_ID")
    length = password_length()
    endpoint = os.environ.get("SSM_ENDPOINT") or None
    ssm = boto3.client("ssm", endpoint_url=endpoint)
    response = ssm.put_parameter(
        Name=name,
        Value=generate_password(length),
        Type="SecureString",
        KeyId=key_id,
        Overwrite=True,
    )
    version = int(response["Version"])
    result = {
        "parameter": name,
        "version": version,
        "previous_version": version - 1 if version > 1 else None,
    }
    logger.info(json.dumps({"message": "parameter rotated", **result}, sort_keys=True))
    return result


def generate_password(length: int) -> str:
    """A random password with at least one lowercase, uppercase, digit and punctuation character.

    Drawing whole candidates until one has every class keeps each accepted password uniformly
    distributed over the qualifying ones; at 16+ characters almost every draw qualifies.
    """
    if length < len(_CHARACTER_CLASSES):
        raise ParameterRotationConfigError(f"password length {length} is too short")
    while True:
        candidate = "".join(secrets.choice(ALPHABET) for _ in range(length))
        if all(any(char in chars for char in candidate) for chars in _CHARACTER_CLASSES):
            return candidate


def password_length() -> int:
    """The password length from ``PASSWORD_LENGTH``, validated."""
    raw = os.environ.get("PASSWORD_LENGTH", str(DEFAULT_PASSWORD_LENGTH))
    try:
        length = int(raw)
    except ValueError as exc:
        raise ParameterRotationConfigError(f"PASSWORD_LENGTH={raw!r} is not an integer") from exc
    if not MIN_PASSWORD_LENGTH <= length <= MAX_PASSWORD_LENGTH:
        raise ParameterRotationConfigError(
            f"PASSWORD_LENGTH={length} is outside {MIN_PASSWORD_LENGTH}..{MAX_PASSWORD_LENGTH}"
        )
    return length


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ParameterRotationConfigError(f"environment variable {name} is not set")
    return value
