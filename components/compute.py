"""Compute tier: an internet-facing ALB over HTTPS in front of an Auto Scaling group or an ECS
Fargate service in the private subnets (C1-C8)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from policy.awsfacts.elb import LOG_DELIVERY_SERVICE

from .account import AccountContext
from .buckets import SecureBucket, SecureBucketArgs
from .config.compute import ComputeConfig
from .containers import Containers, ContainersArgs
from .iam import service_trust_policy
from .naming import child_name, name_tag, token
from .waf import WebFirewall, WebFirewallArgs

# The instance role gets exactly these AWS managed policies (C7): Session Manager access and
# the CloudWatch agent; no inline policies.
INSTANCE_MANAGED_POLICIES = (
    "AmazonSSMManagedInstanceCore",
    "CloudWatchAgentServerPolicy",
)


def autoscaling_service_role(
    name: str, opts: pulumi.ResourceOptions | None = None
) -> aws.iam.ServiceLinkedRole:
    """A service-linked role for this stack's Auto Scaling group in one region.

    Instances boot from volumes encrypted under the data CMK, which Auto Scaling can only do
    when its service-linked role may use the key; the key policy must name the role, so the
    role is created before the keys. The suffix is unique per project, stack and region (S2):
    role names are account-wide.
    """
    stack_id = f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}/{name}"
    suffix = f"{name[:22]}-{hashlib.sha256(stack_id.encode()).hexdigest()[:8]}"
    return aws.iam.ServiceLinkedRole(
        child_name(name, "autoscaling"),
        aws_service_name="autoscaling.amazonaws.com",
        custom_suffix=suffix,
        description=f"Auto Scaling for {name}: launches instances with CMK-encrypted volumes",
        tags=name_tag(child_name(name, "autoscaling")),
        opts=opts,
    )


@dataclass
class ComputeArgs:
    """Arguments of `Compute`: the network tier's outputs, the data key and the tier's
    validated settings."""

    settings: ComputeConfig
    """Validated compute config (sizes, health check, TLS policy, ...)."""
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    """The load balancer's subnets: the public subnet of every AZ."""
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """The instances' subnets: the private (application) subnet of every AZ."""
    alb_security_group_id: pulumi.Input[str]
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    """CMK of the instances' EBS volumes."""
    autoscaling_role_arn: pulumi.Input[str]
    """Service-linked role the group launches with (see `autoscaling_service_role`)."""
    certificate_arn: pulumi.Input[str]
    """The HTTPS listener's certificate in this region (configured, or issued by
    `IssuedCertificates`)."""
    logs_key_arn: pulumi.Input[str]
    """CMK of the WAF and container log groups."""
    log_retention_days: int = 30
    """Retention of the WAF and container log groups."""
    instance_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags the group propagates to instances and volumes (provider default tags do not
    reach resources that Auto Scaling launches)."""
    elb_log_account: str | None = None
    """The region's Elastic Load Balancing log-delivery account, where the region has one
    (`policy.awsfacts.elb.LOG_DELIVERY_ACCOUNTS`); newer regions deliver only through the
    log-delivery service principal."""
    access_log_bucket: SecureBucket | None = None
    """The region's S3 server access-log bucket; the load balancer's log bucket logs to it."""


class Compute(pulumi.ComponentResource):
    """One region's application tier."""

    load_balancer: aws.lb.LoadBalancer
    target_group: aws.lb.TargetGroup
    """The HTTPS listener's default target: the group's instances, or the ECS tasks (blue)."""
    green_target_group: aws.lb.TargetGroup | None
    """ecs only: the second (green) target group, reached with the green header."""
    https_listener: aws.lb.Listener
    group: aws.autoscaling.Group | None
    """asg only."""
    containers: Containers | None
    """ecs only."""
    log_bucket: SecureBucket
    certificate_arn: pulumi.Output[str]
    """The HTTPS listener's certificate."""
    firewall: WebFirewall | None
    """The web ACL in front of the load balancer (C9), unless `waf.enabled` is off."""

    def __init__(
        self, name: str, args: ComputeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(token("compute", "Compute"), name, None, opts)
        self._name = name
        self._args = args
        self._settings = args.settings
        self._ctx = AccountContext.lookup(self)
        self._child = pulumi.ResourceOptions(parent=self)

        self.log_bucket = self._create_log_bucket()
        self.certificate_arn = pulumi.Output.from_input(args.certificate_arn)
        self._create_load_balancer()
        self.firewall = self._create_firewall() if self._settings.waf.enabled else None
        self.group, self.containers, self.green_target_group = None, None, None
        outputs: dict[str, object] = {
            "load_balancer_arn": self.load_balancer.arn,
            "load_balancer_dns_name": self.load_balancer.dns_name,
            "target_group_arn": self.target_group.arn,
            "access_log_bucket": self.log_bucket.name,
        }
        if self._settings.kind == "ecs":
            self.containers = self._create_containers()
            outputs["cluster_arn"] = self.containers.cluster.arn
            outputs["repository_url"] = self.containers.repository.repository_url
        else:
            template = self._create_launch_template()
            self._create_group(template)
            outputs["group_name"] = self.group.name  # type: ignore[union-attr]
        self.register_outputs(outputs)

    # Load balancer (C1-C4) -------------------------------------------------------------------

    def _create_log_bucket(self) -> SecureBucket:
        settings, args = self._settings, self._args
        prefix = settings.access_log_prefix
        ctx = self._ctx

        def statements(bucket_arn: pulumi.Output[str]) -> list[dict[str, object]]:
            logs = pulumi.Output.concat(bucket_arn, "/", prefix, "/AWSLogs/", ctx.account_id, "/*")
            found: list[dict[str, object]] = [
                {
                    # AWS ELB User Guide, "Enable access logs": the log-delivery service
                    # principal, recommended in every region and the only one in regions opened
                    # since August 2022.
                    "Sid": "ElbServiceWritesAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": LOG_DELIVERY_SERVICE},
                    "Action": "s3:PutObject",
                    "Resource": logs,
                    "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account_id}},
                }
            ]
            if args.elb_log_account is not None:
                # The older regions' own delivery account, which AWS still honours there.
                found.append(
                    {
                        "Sid": "ElbAccountWritesAccessLogs",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": pulumi.Output.concat(
                                "arn:", ctx.partition, ":iam::", args.elb_log_account, ":root"
                            )
                        },
                        "Action": "s3:PutObject",
                        "Resource": logs,
                    }
                )
            return found

        # ALB access logs can only be delivered to SSE-S3 buckets (AWS refuses SSE-KMS).
        return SecureBucket(
            child_name(self._name, "alb-logs"),
            SecureBucketArgs(
                sse_s3=True,
                policy_statements=statements,
                expiration_days=settings.access_log_expiration_days,
                noncurrent_version_days=7,
                protect=settings.protect_log_bucket,
                access_log_bucket=args.access_log_bucket,
            ),
            opts=self._child,
        )

    def _create_load_balancer(self) -> None:
        settings, args = self._settings, self._args
        name = child_name(self._name, "alb")
        self.load_balancer = aws.lb.LoadBalancer(
            name,
            # Load balancer and target group names stop at 32 characters, too few for
            # `<environment>-<service>-<region>-<role>` plus a suffix: the provider makes a
            # unique name from a short prefix (at most 6 characters, elbv2 validNamePrefix), and
            # the Name tag carries the readable one.
            name_prefix="alb-",
            load_balancer_type="application",
            internal=False,
            subnets=list(args.public_subnet_ids),
            security_groups=[args.alb_security_group_id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=settings.deletion_protection,
            idle_timeout=settings.idle_timeout_seconds,
            desync_mitigation_mode="defensive",
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=self.log_bucket.name,
                prefix=settings.access_log_prefix,
                enabled=True,
            ),
            tags=name_tag(name),
            # AWS checks that it may write to the bucket when logging is turned on.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.log_bucket.policy]),
        )
        self.target_group = self._target_group(child_name(self._name, "app"), "app-")
        https = child_name(self._name, "https")
        self.https_listener = aws.lb.Listener(
            https,
            load_balancer_arn=self.load_balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=settings.ssl_policy,
            certificate_arn=self.certificate_arn,
            default_actions=[self._https_default_action()],
            tags=name_tag(https),
            opts=self._child,
        )
        http = child_name(self._name, "http")
        aws.lb.Listener(
            http,
            load_balancer_arn=self.load_balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            tags=name_tag(http),
            opts=self._child,
        )

    def _https_default_action(self) -> aws.lb.ListenerDefaultActionArgs:
        """Instances: forward to the group. ECS blue/green moves production traffic by
        rewriting a listener rule, which the listener's default would bypass, so the default
        only answers 404 and the service's production rule forwards everything."""
        if self._settings.kind == "ecs":
            return aws.lb.ListenerDefaultActionArgs(
                type="fixed-response",
                fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                    content_type="text/plain", status_code="404", message_body="Not Found"
                ),
            )
        return aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=self.target_group.arn
        )

    def _create_firewall(self) -> WebFirewall:
        waf, args = self._settings.waf, self._args
        return WebFirewall(
            self._name,
            WebFirewallArgs(
                load_balancer_arn=self.load_balancer.arn,
                logs_key_arn=args.logs_key_arn,
                log_retention_days=args.log_retention_days,
                block=waf.mode == "block",
                rate_limit=waf.rate_limit,
                rate_window_seconds=waf.rate_window_seconds,
            ),
            opts=self._child,
        )

    def _target_group(self, name: str, prefix: str) -> aws.lb.TargetGroup:
        """A target group of the app port with the configured health check: instances for an
        Auto Scaling group, IP addresses for Fargate tasks (awsvpc). Named from `prefix` by the
        provider, so a replacement (a new port, say) never collides with the old group's name."""
        settings = self._settings
        health = settings.health_check
        return aws.lb.TargetGroup(
            name,
            name_prefix=prefix,
            vpc_id=self._args.vpc_id,
            port=settings.app_port,
            protocol="HTTP",
            target_type="ip" if settings.kind == "ecs" else "instance",
            deregistration_delay=settings.deregistration_delay_seconds,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=health.path,
                port="traffic-port",
                protocol="HTTP",
                matcher=health.matcher,
                interval=health.interval_seconds,
                timeout=health.timeout_seconds,
                healthy_threshold=health.healthy_threshold,
                unhealthy_threshold=health.unhealthy_threshold,
            ),
            tags=name_tag(name),
            opts=self._child,
        )

    # Containers (C8) -----------------------------------------------------------------------

    def _create_containers(self) -> Containers:
        args = self._args
        # ECS blue/green swaps production between the two groups at every deployment.
        self.green_target_group = self._target_group(child_name(self._name, "green"), "green-")
        return Containers(
            self._name,
            ContainersArgs(
                settings=self._settings,
                private_subnet_ids=args.private_subnet_ids,
                app_security_group_id=args.app_security_group_id,
                https_listener=self.https_listener,
                blue_target_group_arn=self.target_group.arn,
                green_target_group_arn=self.green_target_group.arn,
                data_key_arn=args.data_key_arn,
                logs_key_arn=args.logs_key_arn,
                log_retention_days=args.log_retention_days,
            ),
            opts=self._child,
        )

    # Instances (C5-C7) -----------------------------------------------------------------------

    def _instance_profile(self) -> aws.iam.InstanceProfile:
        name = child_name(self._name, "app")
        role = aws.iam.Role(
            name,
            description=f"{name} instances: Session Manager and CloudWatch agent only",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com"),
            tags=name_tag(name),
            opts=self._child,
        )
        for policy in INSTANCE_MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                child_name(name, policy.lower()),
                role=role.name,
                policy_arn=pulumi.Output.concat(
                    "arn:", self._ctx.partition, ":iam::aws:policy/", policy
                ),
                opts=self._child,
            )
        return aws.iam.InstanceProfile(name, role=role.name, tags=name_tag(name), opts=self._child)

    def _create_launch_template(self) -> aws.ec2.LaunchTemplate:
        settings, args = self._settings, self._args
        ami = aws.ssm.get_parameter_output(
            name=settings.image_parameter, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        profile = self._instance_profile()
        name = child_name(self._name, "app")
        launched_tags = {**args.instance_tags, **name_tag(name)}
        return aws.ec2.LaunchTemplate(
            name,
            description=f"{name}: {settings.architecture} image, IMDSv2, encrypted root volume",
            image_id=pulumi.Output.unsecret(ami.value),
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
                        kms_key_id=args.data_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    associate_public_ip_address="false",
                    delete_on_termination="true",
                    security_groups=[args.app_security_group_id],
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
            opts=self._child,
        )

    def _launch_from(self, template: aws.ec2.LaunchTemplate) -> dict[str, object]:
        """The template alone, or a mixed instances policy over the configured instance types
        (all on demand, in the configured order) so one type running short in an AZ does not
        stop the group (AutoScaling.6)."""
        settings = self._settings
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

    def _create_group(self, template: aws.ec2.LaunchTemplate) -> None:
        settings, args = self._settings, self._args
        name = child_name(self._name, "app")
        self.group = aws.autoscaling.Group(
            name,
            vpc_zone_identifiers=list(args.private_subnet_ids),
            min_size=settings.min_size,
            max_size=settings.max_size,
            desired_capacity=settings.desired_capacity,
            **self._launch_from(template),
            target_group_arns=[self.target_group.arn],
            health_check_type="ELB",
            health_check_grace_period=settings.health_check_grace_period_seconds,
            service_linked_role_arn=args.autoscaling_role_arn,
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
                for key, value in {**args.instance_tags, **name_tag(name)}.items()
            ],
            # The desired count belongs to the scaling policy once the group exists.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["desiredCapacity"]),
        )
        aws.autoscaling.Policy(
            child_name(name, "cpu"),
            autoscaling_group_name=self.group.name,
            policy_type="TargetTrackingScaling",
            estimated_instance_warmup=settings.health_check_grace_period_seconds,
            target_tracking_configuration=aws.autoscaling.PolicyTargetTrackingConfigurationArgs(
                predefined_metric_specification=aws.autoscaling.PolicyTargetTrackingConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ASGAverageCPUUtilization"
                ),
                target_value=settings.cpu_target_percent,
            ),
            opts=self._child,
        )
