"""P10, P11: the harness autonames as pulumi-aws does (property, separator, suffix, lowercasing,
maximum length) and fails where the engine fails, so a run under mocks refuses a name that
`pulumi preview` would refuse."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pytest
from conftest import REPO_ROOT
from pydantic.alias_generators import to_camel
from support import one

from policy.harness import ProgramError, autonaming, run_inline
from policy.type_tokens import resource_class

CONFIG = {"aws:region": "us-east-1"}
TRUST = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": '
    '{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def test_too_long_autoname_fails_like_the_engine() -> None:
    """A target group's autoname stops at 32 characters (pulumi-aws aliases.go): a logical name
    of 25 characters plus '-' and 7 random characters fails the run, naming the resource, the
    property and the limit in the provider's own words."""
    logical = "containers-core-us-east-1"

    def program() -> None:
        aws.lb.TargetGroup(logical, port=80, protocol="HTTP", vpc_id="vpc-1")

    with pytest.raises(ProgramError) as caught:
        run_inline(program, config=CONFIG)
    message = str(caught.value)
    assert f"aws:lb/targetGroup:TargetGroup resource '{logical}'" in message
    assert f"name '{logical}-' plus 7 random chars is longer than maximum length 32" in message
    assert "autonames `name`" in message


def test_name_at_the_limit_fits() -> None:
    """24 characters + '-' + 7 = 32: exactly what the provider still generates."""
    logical = "a" * 24

    def program() -> None:
        aws.lb.TargetGroup(logical, port=80, protocol="HTTP", vpc_id="vpc-1")

    name = one(run_inline(program, config=CONFIG), "aws:lb/targetGroup:TargetGroup").inputs["name"]
    assert re.fullmatch(rf"{logical}-[0-9a-f]{{7}}", name) and len(name) == 32


@pytest.mark.parametrize(
    "build,type_token,prop,limit",
    [
        (
            lambda n: aws.iam.Role(n, assume_role_policy=TRUST),
            "aws:iam/role:Role",
            "name",
            64,
        ),
        (
            lambda n: aws.cloudwatch.EventRule(n, schedule_expression="rate(1 day)"),
            "aws:cloudwatch/eventRule:EventRule",
            "name",
            64,
        ),
        (lambda n: aws.s3.Bucket(n), "aws:s3/bucket:Bucket", "bucket", 63),
        (lambda n: aws.sns.Topic(n), "aws:sns/topic:Topic", "name", 80),
        # Not in the override table: the generic rule of provider/autonaming.go.
        (
            lambda n: aws.ec2.SecurityGroup(n, vpc_id="vpc-1"),
            "aws:ec2/securityGroup:SecurityGroup",
            "name",
            255,
        ),
    ],
    ids=["iam-role", "event-rule", "bucket", "sns-topic", "generic"],
)
def test_each_rule_applies_its_own_limit(build, type_token, prop, limit) -> None:
    """The limit is the table's for the type: one character less fits, the limit fails."""
    fits = "x" * (limit - 8)
    assert (
        len(one(run_inline(lambda: build(fits), config=CONFIG), type_token).inputs[prop]) == limit
    )
    with pytest.raises(ProgramError, match=f"longer than maximum length {limit}"):
        run_inline(lambda: build(fits + "x"), config=CONFIG)


def test_provider_specific_shapes() -> None:
    """Lowercased S3 buckets, RDS identifiers without a separator, `alias/` in front of KMS
    aliases, `.fifo` after FIFO topics, no autoname for Route 53 records, and inline role
    policies named one by one (resource_overrides.go)."""

    def program() -> None:
        aws.s3.Bucket("Audit-Logs")
        aws.rds.Instance("AppDb", instance_class="db.t4g.micro", engine="postgres")
        aws.rds.Instance("Legacy", instance_class="db.t3.small", engine="sqlserver-ex")
        aws.kms.Alias("data-key", target_key_id="k")
        aws.sns.Topic("events", fifo_topic=True)
        aws.route53.Record("www", zone_id="Z1", name="www", type="A", ttl=60, records=["1.2.3.4"])
        aws.iam.Role(
            "app",
            assume_role_policy=TRUST,
            inline_policies=[aws.iam.RoleInlinePolicyArgs(policy=TRUST)],
        )

    run = run_inline(program, config=CONFIG)
    inputs = {r.name: r.inputs for r in run.resources if r.custom}
    assert re.fullmatch(r"audit-logs-[0-9a-f]{7}", inputs["Audit-Logs"]["bucket"])
    assert re.fullmatch(r"AppDb[0-9a-f]{7}", inputs["AppDb"]["identifier"])
    assert re.fullmatch(r"Legacy[0-9a-f]{3}", inputs["Legacy"]["identifier"])
    assert re.fullmatch(r"alias/data-key-[0-9a-f]{7}", inputs["data-key"]["name"])
    assert re.fullmatch(r"events-[0-9a-f]{7}\.fifo", inputs["events"]["name"])
    assert inputs["www"]["name"] == "www"
    (policy,) = inputs["app"]["inlinePolicies"]
    assert re.fullmatch(r"app-[0-9a-f]{7}", policy["name"])


def test_sqlserver_identifier_limit() -> None:
    """SQL Server identifiers stop at 15 characters: 12 + 3 random characters."""

    def program() -> None:
        aws.rds.Instance("a" * 13, instance_class="db.t3.small", engine="sqlserver-ex")

    with pytest.raises(ProgramError, match="plus 3 random chars is longer than maximum length 15"):
        run_inline(program, config=CONFIG)


def test_explicit_names_and_prefixes_are_left_alone() -> None:
    """An explicit name is the program's, and a `*Prefix` makes the provider skip the autoname
    (the bridge drops a default that would conflict); neither can fail the autoname."""
    long = "y" * 40

    def program() -> None:
        aws.lb.TargetGroup(long, name="short", port=80, protocol="HTTP", vpc_id="vpc-1")
        aws.lb.TargetGroup(long + "2", name_prefix="app-", port=80, protocol="HTTP", vpc_id="v")

    run = run_inline(program, config=CONFIG)
    named, prefixed = run.named(long), run.named(long + "2")
    assert named.inputs["name"] == "short"
    assert "name" not in prefixed.inputs and prefixed.inputs["namePrefix"] == "app-"
    # AWS names it from the prefix: 26 more characters, what the outputs carry.
    assert len(prefixed.state["name"]) == len("app-") + 26


def test_table_names_real_types_and_properties() -> None:
    """Every type in the table is a pulumi-aws resource that takes the property it names, so a
    typo in the table cannot silently disable a rule."""
    for type_token, rule in [*autonaming.RULES.items(), *autonaming.NESTED.items()]:
        cls = resource_class(type_token)
        assert cls is not None, type_token
        if rule is None:
            continue
        prop = rule[0] if isinstance(rule, tuple) else rule.property
        params = {to_camel(p) for p in inspect.signature(cls._internal_init).parameters}
        assert prop in params, f"{type_token} has no input {prop}"


def test_check_cli_exits_2_naming_the_resource(tmp_path: Path) -> None:
    """`policy.check` on a program whose autoname cannot fit exits 2, names the resource and
    the limit, and prints nothing else (no echo of every failed Output)."""
    (tmp_path / "Pulumi.yaml").write_text("name: longnames\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi_aws as aws\n"
        "for i in range(3):\n"
        "    aws.lb.TargetGroup(f'a-very-long-target-group-name-{i}', port=80, protocol='HTTP',"
        " vpc_id='vpc-1')\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "policy.check", "--stack", "dev", "--program", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "resource 'a-very-long-target-group-name-" in done.stderr
    assert "longer than maximum length 32" in done.stderr
    assert len(done.stderr.splitlines()) <= 3, done.stderr


def test_pulumi_output_names_are_not_autonamed() -> None:
    """A name computed from another resource's output is explicit: the provider keeps it."""

    def program() -> None:
        topic = aws.sns.Topic("source")
        aws.sns.Topic("copy", name=topic.name.apply(lambda n: f"{n}-copy"))
        pulumi.export("ok", True)

    run = run_inline(program, config=CONFIG)
    source, copy = run.named("source"), run.named("copy")
    assert copy.inputs["name"] == source.inputs["name"] + "-copy"
