"""Log in to ECR as docker-build programs do: decode the registry's authorization token."""

import base64

import pulumi
import pulumi_aws as aws

repository = aws.ecr.Repository("app")
token = aws.ecr.get_authorization_token_output(registry_id=repository.registry_id)


def credentials(encoded: str) -> dict:
    user, password = base64.b64decode(encoded).decode().split(":")
    return {"user": user, "password_length": len(password)}


pulumi.export("registry", token.proxy_endpoint)
pulumi.export("login", token.authorization_token.apply(credentials))
# Nothing knows this value before the instance exists (the mocks leave it unset), so the
# lookup is answered unknown without being made, as in a preview.
server = aws.ec2.Instance("builder", ami="ami-0a1b2c3d4e5f67890", instance_type="t3.micro")
aws.ec2.get_network_interface_output(id=server.primary_network_interface_id)
