"""Assets and archives: a function from inline source and a file uploaded to a bucket."""

import pulumi
import pulumi_aws as aws

role = aws.iam.Role(
    "handler",
    assume_role_policy=aws.iam.get_policy_document(
        statements=[
            {
                "actions": ["sts:AssumeRole"],
                "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
            }
        ]
    ).json,
)
function = aws.lambda_.Function(
    "handler",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive(
        {"index.py": pulumi.StringAsset("def handler(event, context):\n    return 'ok'\n")}
    ),
)
bucket = aws.s3.Bucket("site")
aws.s3.BucketObject(
    "index", bucket=bucket.id, key="index.html", source=pulumi.FileAsset("index.html")
)
pulumi.export("function", function.arn)
