"""The tags every resource of the (fictional) Acme organisation carries."""


def standard_tags(team: str) -> dict[str, str]:
    """The four tags Acme's guardrails ask for, for one team."""
    return {
        "Environment": "test",
        "Project": "acme-reports",
        "Owner": team,
        "CostCenter": f"cc-{team}",
    }
