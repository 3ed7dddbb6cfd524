"""The RDS CA bundle the rotation function verifies the database against (R8).

The function's archive always carries `rds-ca-bundle.pem`, from one of two places:

- a file named in config (`rotation.caBundleFile`), read when the program runs; or
- AWS's published trust store, downloaded when `pulumi up` creates the fetch (a
  `command.local.Command`, so previews and the offline check never need the network) and
  refused unless its SHA-256 is the pinned one. AWS publishes no digest; the default pin is the
  one public deployments pin for the global bundle (108 certificates). When AWS adds a region's
  CAs the download stops matching and the deploy fails, naming both digests: check the new
  bundle and set `rotation.caBundleSha256`, or use a file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_command as command

BUNDLE_NAME = "rds-ca-bundle.pem"
"""The bundle's path inside the archive, which the function reads as DB_CA_BUNDLE."""
# AWS RDS User Guide, "Using SSL/TLS to encrypt a connection to a DB instance": "a certificate
# bundle that contains both the intermediate and root certificates for all AWS Regions".
RDS_TRUST_STORE_URL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
RDS_GLOBAL_BUNDLE_SHA256 = "e5bb2084ccf45087bda1c9bffdea0eb15ee67f0b91646106e466714f9de3c7e3"

# Runs on the machine that runs `pulumi up`, with the program's Python: download, check the
# pin, print the bundle (the Command's stdout becomes the archive file).
FETCH_SCRIPT = """\
import hashlib, os, sys, urllib.request
url, pinned = os.environ["CA_BUNDLE_URL"], os.environ["CA_BUNDLE_SHA256"]
with urllib.request.urlopen(url, timeout=60) as response:
    body = response.read()
digest = hashlib.sha256(body).hexdigest()
if digest != pinned:
    sys.exit(
        f"{url} has SHA-256 {digest}, not the pinned {pinned}: AWS changed its RDS CA bundle. "
        "Check the new bundle, then set rotation.caBundleSha256 to its digest, or point "
        "rotation.caBundleFile at a copy you trust."
    )
if b"-----BEGIN CERTIFICATE-----" not in body:
    sys.exit(f"{url} holds no PEM certificate")
sys.stdout.write(body.decode("ascii"))
"""


@dataclass(frozen=True)
class CaBundleSource:
    """Where the function's CA bundle comes from: `file`, else `url` checked against `sha256`."""

    file: str | None = None
    url: str = RDS_TRUST_STORE_URL
    sha256: str = RDS_GLOBAL_BUNDLE_SHA256


def fetched_bundle(
    name: str, source: CaBundleSource, parent: pulumi.Resource
) -> pulumi.Output[str]:
    """The bundle's text, downloaded and checked when `pulumi up` creates the fetch; a new URL
    or pin downloads again."""
    fetch = command.local.Command(
        name,
        create=FETCH_SCRIPT,
        interpreter=["python3", "-c"],
        environment={"CA_BUNDLE_URL": source.url, "CA_BUNDLE_SHA256": source.sha256},
        triggers=[source.url, source.sha256],
        # A failed check explains itself on stderr; a hundred certificates in every log don't.
        logging=command.local.Logging.STDERR,
        # The provider would pass the previous stdout (the whole bundle, well over Linux's
        # 128 KiB limit for one environment string) to the next run as PULUMI_COMMAND_STDOUT.
        add_previous_output_in_env=False,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return fetch.stdout
