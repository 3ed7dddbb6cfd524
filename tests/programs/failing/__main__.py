"""A program with a bug in its own code, two calls deep."""

import pulumi_aws as aws


def tags_for(team: str) -> dict:
    return {"Team": team.upper()}


def make_topic(name: str, team: str | None) -> aws.sns.Topic:
    return aws.sns.Topic(name, tags=tags_for(team))


make_topic("alerts", None)
