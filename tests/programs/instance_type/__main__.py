"""Size an ECS task from the instance type it runs on, read with a data source
(`aws.ec2.get_instance_type`) that the offline check has no built-in answer for."""

import json

import pulumi
import pulumi_aws as aws

instance_type = pulumi.Config().get("instanceType") or "m5.large"
info = aws.ec2.get_instance_type(instance_type=instance_type)

# Leave one vCPU and a quarter of the memory to the ECS agent and the host.
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    requires_compatibilities=["EC2"],
    cpu=str((info.default_vcpus - 1) * 1024),
    memory=str(info.memory_size * 3 // 4),
    container_definitions=json.dumps(
        [{"name": "app", "image": "public.ecr.aws/nginx/nginx:stable", "essential": True}]
    ),
)
pulumi.export("cpu", task.cpu)
