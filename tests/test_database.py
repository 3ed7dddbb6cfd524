"""Database tier under mocks (D1-D9): an RDS instance (dev, prod) and an Aurora cluster (the
`aurora` stack and a prod-sized Aurora variant), asserting the properties the requirements name
and the wiring to the network, keys and credentials secret."""

from __future__ import annotations

import json

import pytest
from support import REPO_ROOT, one, stack_run

from policy.harness import CapturedResource, ProgramRun, run_program

INSTANCE = "aws:rds/instance:Instance"
CLUSTER = "aws:rds/cluster:Cluster"
MEMBER = "aws:rds/clusterInstance:ClusterInstance"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROTATION_SHAPE = {"engine", "host", "port", "username", "password", "dbname"}
# Prod settings applied to the Aurora engine (a prod-sized cluster, as a stack would set it).
AURORA_PROD = {"engine": "aurora-postgresql", "readerCount": 2}


def prod_database(**changes: object) -> dict:
    """Pulumi.prod.yaml's database section with some keys replaced."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "Pulumi.prod.yaml").read_text())["config"]
    section = dict(data["secure-infra:database"])
    section.pop("multiAz", None)
    section.pop("allocatedStorageGb", None)
    section.pop("maxAllocatedStorageGb", None)
    return {**section, **changes}


def aurora_prod() -> ProgramRun:
    """Prod's settings on Aurora, in the primary region only (an Aurora stack is single-region:
    the secondary region's database is an RDS read replica)."""
    import yaml

    data = yaml.safe_load((REPO_ROOT / "Pulumi.prod.yaml").read_text())["config"]
    primary = [r for r in data["secure-infra:regions"] if r["role"] == "primary"]
    return stack_run("prod", database=prod_database(**AURORA_PROD), regions=primary)


def stacks() -> list[tuple[str, ProgramRun]]:
    return [
        ("dev", stack_run("dev")),
        ("prod", stack_run("prod")),
        ("aurora", stack_run("aurora")),
        ("prod", aurora_prod()),
    ]


STACK_IDS = ["dev", "prod", "aurora", "prod-aurora"]


def databases(stack: str, r: ProgramRun) -> list[tuple[str, CapturedResource]]:
    """(region, instance or cluster) for every region of a run."""
    found = []
    for region in r.outputs["regions"]:
        name = f"{stack}-core-{region}-db"
        matches = [x for x in r.of_type(INSTANCE) + r.of_type(CLUSTER) if x.name == name]
        assert len(matches) == 1
        found.append((region, matches[0]))
    return found


def test_engine_selects_instance_or_cluster() -> None:
    """D1: postgres -> one RDS instance (Multi-AZ in prod); aurora-postgresql -> a cluster with
    a writer and the configured number of readers."""
    dev, prod, aurora = stack_run("dev"), stack_run("prod"), stack_run("aurora")
    assert not dev.of_type(CLUSTER) and not prod.of_type(CLUSTER)
    (instance,) = dev.of_type(INSTANCE)
    assert instance.inputs["engine"] == "postgres"
    assert instance.inputs["multiAz"] is False
    assert len(prod.of_type(INSTANCE)) == 2
    assert all(i.inputs["multiAz"] is True for i in prod.of_type(INSTANCE))
    assert not aurora.of_type(INSTANCE)
    (cluster,) = aurora.of_type(CLUSTER)
    assert cluster.inputs["engine"] == "aurora-postgresql"
    # The readers wait for the writer only, so they register in either order.
    members = sorted(aurora.of_type(MEMBER), key=lambda m: m.name != f"{cluster.name}-writer")
    assert members[0].name == "aurora-core-us-east-1-db-writer"
    assert sorted(m.name for m in members[1:]) == [
        "aurora-core-us-east-1-db-reader-1",
        "aurora-core-us-east-1-db-reader-2",
    ]
    assert all(m.inputs["clusterIdentifier"] == cluster.id for m in members)
    assert members[0].inputs["promotionTier"] == 0
    assert len(aurora_prod().of_type(MEMBER)) == 3  # single-region: writer + 2 readers


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_storage_and_performance_insights_under_data_cmk(index: int) -> None:
    """D2: storage encrypted with the data CMK; Performance Insights on with the same CMK and
    the stack's retention (7 dev, 731 prod)."""
    stack, r = stacks()[index]
    retention = 731 if stack == "prod" else 7
    for region, db in databases(stack, r):
        data_key = r.outputs["regions"][region]["dataKeyArn"]
        assert db.inputs["storageEncrypted"] is True
        assert db.inputs["kmsKeyId"] == data_key
        pi_holders = (
            [db]
            if db.type == INSTANCE
            else [m for m in r.of_type(MEMBER) if m.name.startswith(f"{db.name}-")]
        )
        assert pi_holders
        for holder in pi_holders:
            assert holder.inputs["performanceInsightsEnabled"] is True
            assert holder.inputs["performanceInsightsKmsKeyId"] == data_key
            assert holder.inputs["performanceInsightsRetentionPeriod"] == retention


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_backups_snapshots_and_deletion_protection(index: int) -> None:
    """D3: backup retention and windows from config, tags copied to snapshots; in prod a
    stack-unique final snapshot, deletion protection and `protect` on database and secret.
    P11: a cross-region read replica never asks for a final snapshot (RDS refuses one)."""
    stack, r = stacks()[index]
    prod = stack == "prod"
    for region, db in databases(stack, r):
        props = db.inputs
        assert props["backupRetentionPeriod"] == (30 if prod else 7)
        window = props.get("backupWindow") or props.get("preferredBackupWindow")
        maintenance = props.get("maintenanceWindow") or props.get("preferredMaintenanceWindow")
        assert window == "03:00-04:00"
        assert maintenance == "sun:04:30-sun:05:30"
        assert props["copyTagsToSnapshot"] is True
        assert props["deletionProtection"] is prod
        assert db.options.protect is prod
        if props.get("replicateSourceDb"):
            assert props["skipFinalSnapshot"] is True
            assert "finalSnapshotIdentifier" not in props
        elif prod:
            assert props["skipFinalSnapshot"] is False
            identifier = props.get("identifier") or props.get("clusterIdentifier")
            assert identifier.startswith(f"{stack}-core-{region}-db-")
            assert len(identifier) > len(f"{stack}-core-{region}-db-")
            assert props["finalSnapshotIdentifier"] == f"{identifier}-final"
        else:
            assert props["skipFinalSnapshot"] is True
    secrets = r.of_type(SECRET)
    assert secrets and all(s.options.protect is prod for s in secrets)


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_private_in_database_subnets_behind_database_sg(index: int) -> None:
    """D4, N9: never public; in the DB subnet group built from the database subnets; only the
    database security group, which admits 5432 from the app and rotation groups only; where no
    rotation function runs (the replica's region) there is no rotation group to admit."""
    stack, r = stacks()[index]
    for region, db in databases(stack, r):
        outputs = r.outputs["regions"][region]
        base = f"{stack}-core-{region}"
        group = one(r, SUBNET_GROUP, f"{base}-db")
        assert group.inputs["subnetIds"] == outputs["databaseSubnetIds"]
        assert db.inputs["dbSubnetGroupName"] == group.inputs["name"]
        db_sg = one(r, SG, f"{base}-db-sg")
        assert db.inputs["vpcSecurityGroupIds"] == [db_sg.id]
        holders = (
            [db]
            if db.type == INSTANCE
            else [m for m in r.of_type(MEMBER) if m.name.startswith(f"{db.name}-")]
        )
        for holder in holders:
            assert holder.inputs["publiclyAccessible"] is False
        sources = {
            rule.inputs.get("referencedSecurityGroupId")
            for rule in r.of_type(INGRESS)
            if rule.inputs.get("securityGroupId") == db_sg.id
        }
        replica = bool(db.inputs.get("replicateSourceDb"))
        tiers = ("app",) if replica else ("app", "rotation")
        allowed = {one(r, SG, f"{base}-{t}-sg").id for t in tiers}
        assert sources == allowed
        if replica:
            assert not [g for g in r.of_type(SG) if g.name == f"{base}-rotation-sg"]
        assert all(
            rule.inputs.get("cidrIpv4") is None
            for rule in r.of_type(INGRESS)
            if rule.inputs.get("securityGroupId") == db_sg.id
        )


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_log_exports_and_enhanced_monitoring(index: int) -> None:
    """D5, D7: logs exported to CloudWatch (postgresql and, on RDS, upgrade); enhanced
    monitoring through its own role trusted by monitoring.rds.amazonaws.com with the AWS
    managed policy for it."""
    stack, r = stacks()[index]
    for region, db in databases(stack, r):
        expected = ["postgresql", "upgrade"] if db.type == INSTANCE else ["postgresql"]
        assert db.inputs["enabledCloudwatchLogsExports"] == expected
        # A3: the export targets exist first, under the logs CMK and with retention.
        identifier = db.inputs.get("identifier") or db.inputs.get("clusterIdentifier")
        kind = "instance" if db.type == INSTANCE else "cluster"
        for log in expected:
            group = one(r, LOG_GROUP, f"{stack}-core-{region}-db-{log}")
            assert group.inputs["name"] == f"/aws/rds/{kind}/{identifier}/{log}"
            assert group.inputs["kmsKeyId"] == r.outputs["regions"][region]["logsKeyArn"]
            assert group.inputs["retentionInDays"] == (365 if stack == "prod" else 30)
            assert group.urn in db.dependencies
        role = one(r, "aws:iam/role:Role", f"{stack}-core-{region}-db-monitoring")
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}
        attachment = one(
            r,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            f"{stack}-core-{region}-db-monitoring",
        )
        assert attachment.inputs["policyArn"] == (
            "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
        )
        holders = (
            [db]
            if db.type == INSTANCE
            else [m for m in r.of_type(MEMBER) if m.name.startswith(f"{db.name}-")]
        )
        for holder in holders:
            assert holder.inputs["monitoringRoleArn"] == role.state["arn"]
            assert holder.inputs["monitoringInterval"] == (15 if stack == "prod" else 60)


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_parameter_group_settings(index: int) -> None:
    """D6: autonamed parameter group of the engine's family with the stack's values,
    rds.force_ssl=1, pg_stat_statements and pgaudit preloaded (pending-reboot) and pgaudit.log."""
    stack, r = stacks()[index]
    for _region, db in databases(stack, r):
        aurora = db.type == CLUSTER
        kind = (
            "aws:rds/clusterParameterGroup:ClusterParameterGroup"
            if aurora
            else "aws:rds/parameterGroup:ParameterGroup"
        )
        group = one(r, kind, db.name)
        assert group.inputs["family"] == ("aurora-postgresql16" if aurora else "postgres16")
        assert group.inputs["name"] != db.name  # autonamed: replaced create-before-delete
        link = "dbClusterParameterGroupName" if aurora else "parameterGroupName"
        assert db.inputs[link] == group.inputs["name"]
        params = {p["name"]: p for p in group.inputs["parameters"]}
        assert params["rds.force_ssl"]["value"] == "1"
        preload = params["shared_preload_libraries"]
        assert set(preload["value"].split(",")) == {"pg_stat_statements", "pgaudit"}
        assert preload["applyMethod"] == "pending-reboot"
        assert params["max_connections"]["applyMethod"] == "pending-reboot"
        if stack == "prod":
            assert params["max_connections"]["value"] == "500"
            assert params["pgaudit.log"]["value"] == "ddl,role,write"
            assert "shared_buffers" in params
        else:
            assert params["max_connections"]["value"] == "100"
            assert params["pgaudit.log"]["value"] == "ddl,role"


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_credentials_generated_and_in_cmk_secret(index: int) -> None:
    """D9, R1: the master password is generated (never in config), and the secret under the
    secrets CMK holds it in the rotation shape pointing at the writer."""
    stack, r = stacks()[index]
    assert not any("password" in key.lower() for key in r.config)
    for region, db in databases(stack, r):
        outputs = r.outputs["regions"][region]
        if "replicateSourceDb" in db.inputs:
            # A read replica shares the primary's users; the secret lives in the primary.
            assert "databaseSecretArn" not in outputs
            continue
        name = f"{stack}-core-{region}-db-credentials"
        secret = one(r, SECRET, name)
        assert secret.inputs["kmsKeyId"] == outputs["secretsKeyArn"]
        assert secret.inputs["recoveryWindowInDays"] == (30 if stack == "prod" else 7)
        assert outputs["databaseSecretArn"] == secret.state["arn"]
        version = one(r, SECRET_VERSION, name)
        assert version.inputs["secretId"] == secret.id
        value = json.loads(version.inputs["secretString"])
        assert set(value) == ROTATION_SHAPE
        assert value["engine"] == "postgres"
        assert value["host"] == outputs["databaseWriterEndpoint"]
        assert value["port"] == 5432
        assert value["username"] == "dbadmin"
        assert value["dbname"] == "app"
        password = one(
            r,
            "random:index/randomPassword:RandomPassword",
            f"{stack}-core-{region}-master-password",
        )
        assert password.inputs["length"] >= 32
        assert set(password.inputs["overrideSpecial"]) <= set("-_.~")
        assert value["password"] == password.state["result"]
        master = db.inputs.get("password") or db.inputs.get("masterPassword")
        assert master == password.state["result"]


@pytest.mark.parametrize("index", range(4), ids=STACK_IDS)
def test_writer_and_reader_endpoint_outputs(index: int) -> None:
    """D8, S6: per-region writer and reader endpoints (Aurora: the cluster's reader endpoint)."""
    stack, r = stacks()[index]
    for region, db in databases(stack, r):
        outputs = r.outputs["regions"][region]
        if db.type == CLUSTER:
            assert outputs["databaseWriterEndpoint"] == db.state["endpoint"]
            assert outputs["databaseReaderEndpoint"] == db.state["readerEndpoint"]
            assert ".cluster-ro-" in outputs["databaseReaderEndpoint"]
        else:
            assert outputs["databaseWriterEndpoint"] == db.state["address"]
            assert outputs["databaseReaderEndpoint"] == db.state["address"]


def test_secondary_region_runs_an_encrypted_read_replica() -> None:
    """M1/M3: prod's secondary region runs a cross-region read replica of the primary's
    instance, encrypted with the secondary's own data key, with no credentials or secret of its
    own; only the primary holds (and rotates) the secret."""
    prod = stack_run("prod")
    instances = {i.name: i for i in prod.of_type("aws:rds/instance:Instance")}
    primary, replica = instances["prod-core-us-east-1-db"], instances["prod-core-eu-west-1-db"]
    assert replica.inputs["replicateSourceDb"] == primary.state["arn"]
    eu_data_key = one(prod, "aws:kms/key:Key", "prod-core-eu-west-1-data")
    assert replica.inputs["kmsKeyId"] == eu_data_key.state["arn"]
    assert replica.inputs["storageEncrypted"] is True
    assert replica.inputs["publiclyAccessible"] is False
    assert not {"username", "password", "dbName"} & set(replica.inputs)
    assert replica.options.protect is True
    secrets = prod.of_type("aws:secretsmanager/secret:Secret")
    assert [s.name for s in secrets] == ["prod-core-us-east-1-db-credentials"]
    rotations = prod.of_type("aws:secretsmanager/secretRotation:SecretRotation")
    assert [r.inputs["secretId"] for r in rotations] == [secrets[0].state["arn"]]


def test_multi_region_aurora_is_refused_naming_the_key() -> None:
    """S5: Aurora with a secondary region fails at config load, naming database.engine."""
    from policy.harness import ProgramError

    with pytest.raises(ProgramError, match=r"secure-infra:database\.engine: a stack with a"):
        run_program(
            REPO_ROOT, "prod", config_overrides={"database": {"engine": "aurora-postgresql"}}
        )


def test_static_parameters_outside_the_old_list_wait_for_a_reboot() -> None:
    """D6, P11: which parameters are static comes from the engine's data, not a short list:
    autovacuum_max_workers, max_logical_replication_workers and pg_stat_statements.max are
    start-only and go pending-reboot (RDS refuses `immediate`); work_mem stays immediate."""
    parameters = {
        "autovacuum_max_workers": "5",
        "max_logical_replication_workers": "8",
        "pg_stat_statements.max": "10000",
        "work_mem": "8192",
    }
    r = stack_run("dev", database={"parameters": parameters})
    (group,) = r.of_type("aws:rds/parameterGroup:ParameterGroup")
    methods = {p["name"]: p["applyMethod"] for p in group.inputs["parameters"]}
    assert methods["autovacuum_max_workers"] == "pending-reboot"
    assert methods["max_logical_replication_workers"] == "pending-reboot"
    assert methods["pg_stat_statements.max"] == "pending-reboot"
    assert methods["work_mem"] == "immediate"


def test_engine_version_is_major_only_by_default() -> None:
    """D1, P11: the default engine version is the major alone, so RDS's automatic minor
    upgrades never turn the next `up` into a refused downgrade; Aurora members follow their
    cluster's version instead of restating it."""
    (instance,) = stack_run("dev").of_type(INSTANCE)
    assert instance.inputs["engineVersion"] == "16"
    assert instance.inputs["autoMinorVersionUpgrade"] is True
    aurora = stack_run("aurora")
    assert aurora.of_type(CLUSTER)[0].inputs["engineVersion"] == "16"
    assert all("engineVersion" not in m.inputs for m in aurora.of_type(MEMBER))


def test_credentials_secret_is_replicated_to_the_secondary() -> None:
    """M5 (issue: the secret existed only in the primary region): Secrets Manager keeps a
    replica of the credentials in the secondary region under that region's secrets CMK, so a
    promoted read replica has its credentials there; single-region stacks replicate nothing."""
    r = stack_run("prod")
    (secret,) = r.of_type(SECRET)
    eu_secrets = one(r, "aws:kms/key:Key", "prod-core-eu-west-1-secrets")
    assert secret.inputs["replicas"] == [
        {"region": "eu-west-1", "kmsKeyId": eu_secrets.state["arn"]}
    ]
    assert eu_secrets.urn in secret.property_dependencies["replicas"]
    (dev_secret,) = stack_run("dev").of_type(SECRET)
    assert "replicas" not in dev_secret.inputs


def test_aurora_gets_database_alarms_and_widgets_on_its_writer() -> None:
    """A6, A8 (issue: Aurora stacks had no database alarms): CPU, connections and free local
    storage alarms on the cluster's writer (DBClusterIdentifier, Role WRITER; Aurora reports no
    FreeStorageSpace), and the dashboard shows them."""
    r = stack_run("aurora")
    (cluster,) = r.of_type(CLUSTER)
    writer = {"DBClusterIdentifier": cluster.inputs["clusterIdentifier"], "Role": "WRITER"}
    alarms = {
        a.inputs["metricName"]: a.inputs
        for a in r.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if a.inputs.get("namespace") == "AWS/RDS"
    }
    assert set(alarms) == {"CPUUtilization", "DatabaseConnections", "FreeLocalStorage"}
    assert all(alarm["dimensions"] == writer for alarm in alarms.values())
    (dashboard,) = r.of_type("aws:cloudwatch/dashboard:Dashboard")
    body = json.loads(dashboard.inputs["dashboardBody"])
    metrics = [
        m for w in body["widgets"] if w["type"] == "metric" for m in w["properties"]["metrics"]
    ]
    assert ["AWS/RDS", "FreeLocalStorage", *sum(writer.items(), ())] in metrics
