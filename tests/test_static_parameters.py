"""P11, D6: the static PostgreSQL parameters the database tier and the preflight policy use
agree with a real server: every setting the server reads only at start-up
(`pg_settings.context = 'postmaster'`) is in the data for its major version, and nothing the
server can change at run time is. Aurora's own static parameters (issue 18, data N5) cannot be
checked on a server; they reach the Aurora parameter group as pending-reboot, and the preflight
refuses them as immediate."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from typing import Any

import pulumi_aws as aws
import pytest
from policies.helpers import check, provider
from postgres_server import PostgresServer, PostgresUnavailableError
from support import REPO_ROOT, stack_run

from policy.awsfacts import postgres
from policy.harness import load_stack_config, read_project_name

# The extensions the Debian server package ships that RDS and Aurora allow in
# shared_preload_libraries; the program itself preloads pg_stat_statements.
PRELOADED = ("pg_stat_statements", "pg_prewarm", "auto_explain")


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    # The extensions loaded, as a stack's shared_preload_libraries would, so their own settings
    # show in pg_settings too.
    pg = PostgresServer(settings={"shared_preload_libraries": f"'{','.join(PRELOADED)}'"})
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
    assert {"pg_stat_statements.max", "pg_prewarm.autoprewarm"} <= start_only
    assert {n for n in context if n.startswith("auto_explain.")}, "auto_explain not loaded"
    assert "rds.force_ssl" not in data and "work_mem" not in data
    assert "pg_stat_statements.track" not in data  # superuser context: changes at run time


AURORA_STATIC = {"apg_plan_mgmt.max_plans": "20000", "apg_plan_mgmt.max_databases": "12"}
CLUSTER_PARAMETER_GROUP = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def test_aurora_static_parameters_wait_for_a_reboot() -> None:
    """Issue 18, data N5: the aurora stack with apg_plan_mgmt.max_plans and max_databases in
    `database.parameters` sends them pending-reboot (the Aurora User Guide: they need an
    instance restart, and RDS refuses `immediate` for a static parameter); work_mem stays
    immediate."""
    database = {**stack_database("aurora")}
    database["parameters"] = {**database.get("parameters", {}), **AURORA_STATIC, "work_mem": "8192"}
    run = stack_run("aurora", database=database)
    (group,) = run.of_type(CLUSTER_PARAMETER_GROUP)
    assert group.inputs["family"].startswith("aurora-postgresql")
    methods = {p["name"]: p["applyMethod"] for p in group.inputs["parameters"]}
    assert {name: methods[name] for name in AURORA_STATIC} == dict.fromkeys(
        AURORA_STATIC, "pending-reboot"
    )
    assert methods["work_mem"] == "immediate"


def stack_database(stack: str) -> dict[str, Any]:
    """The stack file's `database` mapping as written (an override replaces the whole key)."""
    raw, _ = load_stack_config(REPO_ROOT, read_project_name(REPO_ROOT), stack)
    return dict(json.loads(raw[f"{read_project_name(REPO_ROOT)}:database"]))


@pytest.mark.parametrize("name", sorted(AURORA_STATIC))
def test_preflight_refuses_aurora_static_parameters_applied_immediately(name: str) -> None:
    """Issue 18, data N5: the preflight flags an Aurora static parameter sent `immediate` (on
    the cluster and on an instance parameter group) and passes it as pending-reboot."""
    policy = "preflight-static-db-parameters"

    def group(kind: type, family: str, method: str) -> None:
        kind(
            "subject",
            family=family,
            parameters=[{"name": name, "value": "100", "apply_method": method}],
            opts=provider(),
        )

    for kind in (aws.rds.ClusterParameterGroup, aws.rds.ParameterGroup):
        bad = check(partial(group, kind, "aurora-postgresql16", "immediate"), [policy])
        assert bad.names(policy) == {"subject"}, kind
        assert f"{name} is static in aurora-postgresql16" in bad.messages(policy)
        good = check(partial(group, kind, "aurora-postgresql16", "pending-reboot"), [policy])
        assert good.of(policy) == []
