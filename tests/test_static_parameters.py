"""P11, D6: the static PostgreSQL parameters the database tier and the preflight policy use
agree with a real server: every setting the server reads only at start-up
(`pg_settings.context = 'postmaster'`) is in the data for its major version, and nothing the
server can change at run time is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from postgres_server import PostgresServer, PostgresUnavailableError

from policy.awsfacts import postgres


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    # pg_stat_statements loaded, as the program preloads it, so its own settings show too.
    pg = PostgresServer(settings={"shared_preload_libraries": "'pg_stat_statements'"})
    try:
        pg.start()
    except PostgresUnavailableError as exc:
        pytest.fail(str(exc))
    try:
        yield pg
    finally:
        pg.stop()


def test_static_parameters_match_the_server(server: PostgresServer) -> None:
    con = server.admin_connection()
    try:
        major = int(con.run("show server_version_num")[0][0]) // 10000
        rows = con.run("select name, context from pg_settings")
    finally:
        con.close()
    assert major in postgres.supported_majors(), f"no data for PostgreSQL {major}"
    context = dict(rows)
    start_only = {name for name, kind in context.items() if kind == "postmaster"}
    data = postgres.static_parameters(major)
    assert start_only - data == set(), "start-only settings missing from the data"
    # Everything the data calls static that this server knows is start-only here.
    known_here = {name for name in data if name in context}
    assert {n for n in known_here if context[n] != "postmaster"} == set()
    assert "pg_stat_statements.max" in start_only
    assert "rds.force_ssl" not in data and "work_mem" not in data
