"""When AWS Lambda deprecates each runtime. After the deprecation date Lambda stops patching
it and soon blocks creating (then updating) functions that use it.

Source: AWS Lambda Developer Guide, 'Lambda runtimes' (lambda-runtimes.html, 'Supported
runtimes' and 'Deprecated runtimes' tables), as transcribed with dates in
terraform-linters/tflint-ruleset-aws rules/aws_lambda_function_deprecated_runtime.go.
Neither botocore's Runtime enum nor pulumi-aws's `lambda_.Runtime` marks deprecation per value.
"""

from __future__ import annotations

from datetime import date

DEPRECATION: dict[str, date] = {
    "nodejs22.x": date(2027, 4, 30),
    "nodejs20.x": date(2026, 4, 30),
    "nodejs18.x": date(2025, 9, 1),
    "nodejs16.x": date(2024, 6, 12),
    "nodejs14.x": date(2023, 12, 4),
    "nodejs12.x": date(2023, 3, 31),
    "nodejs10.x": date(2021, 7, 30),
    "nodejs8.10": date(2020, 3, 6),
    "nodejs6.10": date(2019, 8, 12),
    "nodejs4.3": date(2020, 3, 5),
    "nodejs4.3-edge": date(2020, 3, 5),
    "nodejs": date(2016, 10, 31),
    "python3.13": date(2029, 6, 30),
    "python3.12": date(2028, 10, 31),
    "python3.11": date(2026, 6, 30),
    "python3.10": date(2026, 6, 30),
    "python3.9": date(2025, 12, 15),
    "python3.8": date(2024, 10, 14),
    "python3.7": date(2023, 12, 4),
    "python3.6": date(2022, 7, 18),
    "python2.7": date(2021, 7, 15),
    "java21": date(2029, 6, 30),
    "java17": date(2026, 6, 30),
    "java11": date(2026, 6, 30),
    "java8.al2": date(2026, 6, 30),
    "java8": date(2024, 1, 8),
    "dotnet8": date(2026, 11, 10),
    "dotnet7": date(2024, 5, 14),
    "dotnet6": date(2024, 11, 12),
    "dotnet5.0": date(2022, 5, 10),
    "dotnetcore3.1": date(2023, 4, 3),
    "dotnetcore2.1": date(2022, 1, 5),
    "dotnetcore2.0": date(2019, 5, 30),
    "dotnetcore1.0": date(2019, 7, 27),
    "ruby3.3": date(2027, 3, 31),
    "ruby3.2": date(2026, 3, 31),
    "ruby2.7": date(2023, 11, 27),
    "ruby2.5": date(2021, 7, 30),
    "go1.x": date(2024, 1, 8),
    "provided": date(2024, 1, 8),
    "provided.al2": date(2026, 6, 30),
    "provided.al2023": date(2029, 6, 30),
}


def deprecated_on(runtime: str, today: date | None = None) -> date | None:
    """The date `runtime` was deprecated, if that date has passed (None otherwise)."""
    when = DEPRECATION.get(runtime)
    if when is None or when > (today or date.today()):
        return None
    return when
