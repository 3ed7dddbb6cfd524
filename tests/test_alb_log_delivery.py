"""Review edge N7: the ALB access-log bucket grants the ELB log-delivery service principal
exactly as AWS's "Enable access logs for your Application Load Balancer" example does for the
regions opened since August 2022: `s3:PutObject` on `<bucket>/<prefix>/AWSLogs/<account>/*`
with no condition. In those regions it is the only grant, so a condition the delivery does not
meet would make AWS refuse logging when the load balancer is created."""

from __future__ import annotations

import json

import pytest
from support import one, stack_run

from policy.harness import ACCOUNT_ID, ProgramRun

SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
NEW_REGION = "ap-southeast-4"


def _new_region_dev() -> ProgramRun:
    """dev in a region without an ELB log-delivery account (the same overrides as
    test_compute's, so the session cache runs it once)."""
    cert = f"arn:aws:acm:{NEW_REGION}:123456789012:certificate/00000000-0000-4000-8000-00000000000a"
    return stack_run(
        "dev",
        regions=[
            {
                "name": NEW_REGION,
                "role": "primary",
                "vpcCidr": "10.10.0.0/16",
                "azs": [f"{NEW_REGION}a", f"{NEW_REGION}b"],
            }
        ],
        compute={"certificateArn": cert},
    )


@pytest.mark.parametrize("region", ["us-east-1", NEW_REGION])
def test_log_delivery_service_statement_has_no_condition(region: str) -> None:
    run = stack_run("dev") if region == "us-east-1" else _new_region_dev()
    name = f"dev-core-{region}-alb-logs"
    bucket = one(run, "aws:s3/bucket:Bucket", name).inputs["bucket"]
    policy = json.loads(one(run, "aws:s3/bucketPolicy:BucketPolicy", name).inputs["policy"])
    service = [s for s in policy["Statement"] if s.get("Principal") == {"Service": SERVICE}]
    assert service == [
        {
            "Sid": "ElbServiceWritesAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/alb/AWSLogs/{ACCOUNT_ID}/*",
        }
    ]
