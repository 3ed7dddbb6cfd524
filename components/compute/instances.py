"""The EC2 option of the compute tier (C5, C6): the instance role and profile, the launch
template (IMDSv2, encrypted root volume, the AMI from a public SSM parameter resolved at launch)
and the Auto Scaling group with its rolling refresh and CPU target tracking."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from ..config.compute import ComputeConfig
from ..iam import service_trust_policy
from ..naming import child_name, name_tag

# The instance role gets exactly these AWS managed policies (C7): Session Manager access and
# the CloudWatch agent; no inline policies.
INSTANCE_MANAGED_POLICIES = (
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
)


@dataclass(frozen=True)
class InstanceGroup:
    """The launch template and the Auto Scaling group launched from it."""

    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group


def create_instance_group(
    base_name: str,
    *,
    settings: ComputeConfig,
    subnet_ids: Sequence[pulumi.Input[str]],
    security_group_id: pulumi.Input[str],
    data_key_arn: pulumi.Input[str],
    service_role_arn: pulumi.Input[str],
    instance_tags: Mapping[str, str],
    target_group_arn: pulumi.Input[str],
    partition: pulumi.Input[str],
    parent: pulumi.Resource,
) -> InstanceGroup:
    """Instances as `settings` sizes them, in `subnet_ids` behind `security_group_id`, with
    volumes under `data_key_arn`, registered in `target_group_arn` and launched with the
    service-linked role `service_role_arn`; `instance_tags` reach instances and volumes."""
    template = _launch_template(
        base_name,
        settings=settings,
        security_group_id=security_group_id,
        data_key_arn=data_key_arn,
        instance_tags=instance_tags,
        profile=_instance_profile(base_name, partition, parent),
        parent=parent,
    )
    group = _group(
        base_name,
        settings=settings,
        template=template,
        subnet_ids=subnet_ids,
        service_role_arn=service_role_arn,
        instance_tags=instance_tags,
        target_group_arn=target_group_arn,
        parent=parent,
    )
    return InstanceGroup(launch_template=template, group=group)


def _instance_profile(
    base_name: str, partition: pulumi.Input[str], parent: pulumi.Resource
) -> aws.iam.InstanceProfile:
    opts = pulumi.ResourceOptions(parent=parent)
    name = child_name(base_name, "app")
    role = aws.iam.Role(
        name,
        description=f"{name} instances: Session Manager and CloudWatch agent only",
        assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
        tags=name_tag(name),
        opts=opts,
    )
    for policy in INSTANCE_MANAGED_POLICIES:
        aws.iam.RolePolicyAttachment(
            child_name(name, policy.lower()),
            role=role.name,
            policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
            opts=opts,
        )
    return aws.iam.InstanceProfile(name, role=role.name, tags=name_tag(name), opts=opts)


def _launch_template(
    base_name: str,
    *,
    settings: ComputeConfig,
    security_group_id: pulumi.Input[str],
    data_key_arn: pulumi.Input[str],
    instance_tags: Mapping[str, str],
    profile: aws.iam.InstanceProfile,
    parent: pulumi.Resource,
) -> aws.ec2.LaunchTemplate:
    name = child_name(base_name, "app")
    launched_tags = {**instance_tags, **name_tag(name)}
    return aws.ec2.LaunchTemplate(
        name,
        description=f"{name}: {settings.architecture} image, IMDSv2, encrypted root volume",
        # EC2 resolves the public parameter when it launches an instance (EC2 User Guide,
        # "Use a Systems Manager parameter instead of an AMI ID"; Auto Scaling accepts such
        # templates). Resolving it here instead would put each AMI release into the template:
        # a new version at the next `up`, and an instance refresh of the whole fleet that
        # nobody asked for. With the parameter, new instances start from the current image
        # and a roll of the fleet is a deliberate refresh. The parameter already follows the
        # instance type's architecture (config.compute.image_parameter).
        image_id=f"resolve:ssm:{settings.image_parameter}",
        instance_type=settings.instance_type,
        iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
        metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
            http_endpoint="enabled",
            http_tokens="required",
            http_put_response_hop_limit=1,
            instance_metadata_tags="disabled",
        ),
        block_device_mappings=[
            aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=settings.root_volume_size_gb,
                    volume_type="gp3",
                    encrypted="true",
                    kms_key_id=data_key_arn,
                    delete_on_termination="true",
                ),
            )
        ],
        network_interfaces=[
            aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                device_index=0,
                associate_public_ip_address="false",
                delete_on_termination="true",
                security_groups=[security_group_id],
            )
        ],
        user_data=base64.b64encode(settings.user_data.encode()).decode(),
        monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
        # Only where the type must be asked for it: most have it always, and a few (t2)
        # cannot launch with it.
        ebs_optimized="true" if settings.ebs_optimized else None,
        update_default_version=True,
        tag_specifications=[
            aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=launched_tags)
            for kind in ("instance", "volume")
        ],
        tags=name_tag(name),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def launch_from(settings: ComputeConfig, template: aws.ec2.LaunchTemplate) -> dict[str, object]:
    """The template alone, or a mixed instances policy over the configured instance types
    (all on demand, in the configured order) so one type running short in an AZ does not
    stop the group (AutoScaling.6)."""
    version = template.latest_version.apply(str)
    if not settings.additional_instance_types:
        return {
            "launch_template": aws.autoscaling.GroupLaunchTemplateArgs(
                id=template.id, version=version
            )
        }
    types = [settings.instance_type, *settings.additional_instance_types]
    return {
        "mixed_instances_policy": aws.autoscaling.GroupMixedInstancesPolicyArgs(
            launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                    launch_template_id=template.id, version=version
                ),
                overrides=[
                    aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(
                        instance_type=instance_type
                    )
                    for instance_type in types
                ],
            ),
            instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                on_demand_allocation_strategy="prioritized",
                on_demand_base_capacity=0,
                on_demand_percentage_above_base_capacity=100,
            ),
        )
    }


def _group(
    base_name: str,
    *,
    settings: ComputeConfig,
    template: aws.ec2.LaunchTemplate,
    subnet_ids: Sequence[pulumi.Input[str]],
    service_role_arn: pulumi.Input[str],
    instance_tags: Mapping[str, str],
    target_group_arn: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.autoscaling.Group:
    name = child_name(base_name, "app")
    group = aws.autoscaling.Group(
        name,
        vpc_zone_identifiers=list(subnet_ids),
        min_size=settings.min_size,
        max_size=settings.max_size,
        desired_capacity=settings.desired_capacity,
        **launch_from(settings, template),
        target_group_arns=[target_group_arn],
        health_check_type="ELB",
        health_check_grace_period=settings.health_check_grace_period_seconds,
        service_linked_role_arn=service_role_arn,
        # A new template version rolls through the group instead of waiting for scale-in.
        # No auto_rollback: the provider saves the new version on the group before it starts
        # the refresh, so a rollback would return to that same version
        # (hashicorp/terraform-provider-aws#34189). Roll back by deploying the previous
        # config, which makes a new version and a new refresh.
        instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
            strategy="Rolling",
            preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                min_healthy_percentage=settings.refresh_min_healthy_percentage,
                # Instances that already run the desired template version and type stay
                # (a change of launch method alone would otherwise replace them all).
                skip_matching=True,
            ),
        ),
        enabled_metrics=[
            "GroupDesiredCapacity",
            "GroupInServiceInstances",
            "GroupMaxSize",
            "GroupMinSize",
            "GroupTotalInstances",
        ],
        tags=[
            aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
            for key, value in {**instance_tags, **name_tag(name)}.items()
        ],
        # The desired count belongs to the scaling policy once the group exists.
        opts=pulumi.ResourceOptions(parent=parent, ignore_changes=["desiredCapacity"]),
    )
    aws.autoscaling.Policy(
        child_name(name, "cpu"),
        autoscaling_group_name=group.name,
        policy_type="TargetTrackingScaling",
        estimated_instance_warmup=settings.health_check_grace_period_seconds,
        target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
            predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                predefined_metric_type="ASGAverageCPUUtilization"
            ),
            target_value=settings.cpu_target_percent,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return group
