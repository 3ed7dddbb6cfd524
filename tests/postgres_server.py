"""A throwaway PostgreSQL server for tests that need a real database (T3).

The server is built from the distribution's own binaries: ``initdb`` into a temporary directory,
TLS on with a self-signed certificate made by ``openssl`` at set-up, listening on 127.0.0.1 on a
free port. Host connections must use TLS and SCRAM-SHA-256 (``hostssl`` only, like an RDS
instance with ``rds.force_ssl=1``), so a client that forgets TLS or sends a wrong password fails
here the way it would against RDS. The bootstrap superuser is reachable only through the Unix
socket in the temporary directory, for test set-up.

This module does not depend on pytest; a test fixture wraps :class:`PostgresServer`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pg8000.native

INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or under "
    "/usr/lib/postgresql/*/bin; install them with `apt-get install postgresql`"
)
_OS_USER = "postgres"
_BOOTSTRAP_SUPERUSER = "postgres"


class PostgresUnavailableError(RuntimeError):
    """The machine has no usable PostgreSQL server installation."""


def find_postgres_bin_dir() -> Path:
    """Return the directory that holds ``initdb``, ``pg_ctl`` and ``postgres``.

    ``PG_BIN_DIR`` wins when set. Then PATH (the symlinks a developer may have), then the newest
    Debian layout under ``/usr/lib/postgresql/<major>/bin``, where the ``postgresql`` package puts
    the server binaries without adding them to PATH.
    """
    override = os.environ.get("PG_BIN_DIR")
    if override:
        candidate = Path(override)
        if _has_server_binaries(candidate):
            return candidate
        raise PostgresUnavailableError(f"PG_BIN_DIR={override} has no initdb/pg_ctl/postgres")

    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        # Follow symlinks so pg_ctl and initdb resolve to the same installation as `postgres`.
        candidate = Path(on_path).resolve().parent
        if _has_server_binaries(candidate):
            return candidate

    def major(path: str) -> int:
        version = Path(path).parent.name
        return int(version) if version.isdigit() else -1

    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major, reverse=True):
        if _has_server_binaries(Path(directory)):
            return Path(directory)
    raise PostgresUnavailableError(INSTALL_HINT)


def _has_server_binaries(directory: Path) -> bool:
    return all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def free_tcp_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on at the time of the call."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_self_signed_certificate(directory: Path, stem: str) -> tuple[Path, Path]:
    """Create a self-signed certificate valid for 127.0.0.1 and localhost.

    Returns ``(certificate, private key)``. The subject alternative names matter: a client that
    checks the host name against the certificate (``DB_CA_BUNDLE`` in the rotation function)
    connects to ``127.0.0.1``, and modern TLS stacks ignore the common name.
    """
    if shutil.which("openssl") is None:
        raise PostgresUnavailableError("openssl is required to make the test server's certificate")
    cert = directory / f"{stem}.crt"
    key = directory / f"{stem}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-nodes",
            "-days",
            "2",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={stem}",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
        ],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    return cert, key


@dataclass
class PostgresServer:
    """A running throwaway server; use :meth:`start` / :meth:`stop` or it as a context manager."""

    user: str = "app_master"
    """The application's master role (LOGIN, CREATEDB, CREATEROLE; not a superuser, like RDS)."""
    database: str = "appdb"
    """A database owned by :attr:`user`."""
    password: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    """The master role's initial password."""
    host: str = "127.0.0.1"
    port: int = 0
    workdir: Path | None = None
    cert_path: Path | None = None
    """The server certificate, which is also its own CA (pass it as ``DB_CA_BUNDLE``)."""
    log_path: Path | None = None
    """The server log, for tests that check what reached it."""
    settings: dict[str, str] = field(default_factory=dict)
    """Extra postgresql.conf settings (values as written in the file)."""
    _key_path: Path | None = None
    _bin: Path | None = None
    _as_postgres: bool = False

    # Context-manager sugar for callers outside pytest.
    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def data_dir(self) -> Path:
        assert self.workdir is not None, "server not started"
        return self.workdir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.workdir is not None, "server not started"
        return self.workdir / "sock"

    def start(self) -> None:
        """initdb, configure TLS and SCRAM, start the server, and create the role and database."""
        self._bin = find_postgres_bin_dir()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            try:
                pwd.getpwnam(_OS_USER)
            except KeyError as exc:
                raise PostgresUnavailableError(
                    "running as root, but there is no `postgres` OS user to run the server as "
                    "(PostgreSQL refuses to run as root); `apt-get install postgresql` creates it"
                ) from exc
        self.workdir = Path(tempfile.mkdtemp(prefix="pgtest-"))
        try:
            self._initdb()
            self._configure()
            self._run(
                [
                    str(self._bin / "pg_ctl"),
                    "-D",
                    str(self.data_dir),
                    "-l",
                    str(self.log_path),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ]
            )
            self._create_role_and_database()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server (immediately: the data is throwaway) and delete its directory."""
        if self.workdir is None:
            return
        if self._bin is not None and (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(
                    [
                        str(self._bin / "pg_ctl"),
                        "-D",
                        str(self.data_dir),
                        "-m",
                        "immediate",
                        "-w",
                        "stop",
                    ]
                )
        shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None

    def admin_connection(self) -> pg8000.native.Connection:
        """A superuser connection over the Unix socket, for test set-up and inspection."""
        return pg8000.native.Connection(
            user=_BOOTSTRAP_SUPERUSER,
            unix_sock=str(self.socket_dir / f".s.PGSQL.{self.port}"),
            database="postgres",
        )

    def _initdb(self) -> None:
        assert self.workdir is not None and self._bin is not None
        self.port = free_tcp_port()
        self.socket_dir.mkdir()
        self.log_path = self.workdir / "server.log"
        self.log_path.touch()
        self.cert_path, self._key_path = make_self_signed_certificate(self.workdir, "server")
        if self._as_postgres:
            # The server runs as `postgres` and must own its data, socket, log and key files.
            uid, gid = pwd.getpwnam(_OS_USER).pw_uid, pwd.getpwnam(_OS_USER).pw_gid
            for path in (
                self.workdir,
                self.socket_dir,
                self.log_path,
                self.cert_path,
                self._key_path,
            ):
                os.chown(path, uid, gid)
        self._run(
            [
                str(self._bin / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                _BOOTSTRAP_SUPERUSER,
                "--auth-local=trust",
                "--auth-host=reject",
                "-E",
                "UTF8",
                "--no-sync",
            ]
        )

    def _configure(self) -> None:
        assert self.workdir is not None
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.socket_dir}'",
            "ssl": "on",
            "ssl_cert_file": f"'{self.cert_path}'",
            "ssl_key_file": f"'{self._key_path}'",
            "password_encryption": "'scram-sha-256'",
            # DDL is logged so tests can prove that a rotated password never reaches the log.
            "log_statement": "'ddl'",
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "max_connections": "40",
            "shared_buffers": "16MB",
            **self.settings,
        }
        conf = "".join(f"{key} = {value}\n" for key, value in settings.items())
        with (self.data_dir / "postgresql.conf").open("a") as handle:
            handle.write(conf)
        # Host connections only over TLS and only with SCRAM; nothing else gets in over TCP.
        hba = (
            "local all all trust\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostnossl all all 0.0.0.0/0 reject\n"
        )
        (self.data_dir / "pg_hba.conf").write_text(hba)

    def _create_role_and_database(self) -> None:
        con = self.admin_connection()
        try:
            con.run(
                f"CREATE ROLE {pg8000.native.identifier(self.user)} LOGIN CREATEDB CREATEROLE "
                f"PASSWORD {pg8000.native.literal(self.password)}"
            )
            con.run(
                f"CREATE DATABASE {pg8000.native.identifier(self.database)} "
                f"OWNER {pg8000.native.identifier(self.user)}"
            )
        finally:
            con.close()

    def _run(self, argv: list[str]) -> None:
        if self._as_postgres:
            argv = ["runuser", "-u", _OS_USER, "--", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            log = self.log_path.read_text() if self.log_path and self.log_path.exists() else ""
            raise subprocess.CalledProcessError(
                result.returncode, argv, output=result.stdout, stderr=result.stderr + log
            )
