"""Compute tier: an internet-facing ALB over HTTPS in front of an Auto Scaling group or an ECS
Fargate service in the private subnets (C1-C8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from policy.awsfacts.elb import LOG_DELIVERY_SERVICE

from ..account import AccountContext
from ..buckets import SecureBucket, SecureBucketArgs
from ..config.compute import ComputeConfig
from ..containers import Containers, ContainersArgs
from ..naming import child_name, name_tag, stack_suffix, token
from ..waf import WebFirewall, WebFirewallArgs
from .instances import create_instance_group


def autoscaling_service_role(
    name: str, opts: pulumi.ResourceOptions | None = None
) -> aws.iam.ServiceLinkedRole:
    """A service-linked role for this stack's Auto Scaling group in one region.

    Instances boot from volumes encrypted under the data CMK, which Auto Scaling can only do
    when its service-linked role may use the key; the key policy must name the role, so the
    role is created before the keys. The suffix is unique per project, stack and region (S2):
    role names are account-wide.
    """
    suffix = f"{name[:22]}-{stack_suffix(name)}"
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
            self.group = create_instance_group(
                name,
                settings=self._settings,
                subnet_ids=args.private_subnet_ids,
                security_group_id=args.app_security_group_id,
                data_key_arn=args.data_key_arn,
                service_role_arn=args.autoscaling_role_arn,
                instance_tags=args.instance_tags,
                target_group_arn=self.target_group.arn,
                partition=self._ctx.partition,
                parent=self,
            ).group
            outputs["group_name"] = self.group.name
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
                    # since August 2022. AWS's example for it carries no condition, and nothing
                    # says the delivery sends `aws:SourceAccount`; where this is the only grant a
                    # condition it does not meet would fail the load balancer's creation
                    # ("Access Denied for bucket"). The resource path, scoped to this account's
                    # `AWSLogs/<account>/` prefix, is what limits the grant (review N7).
                    "Sid": "ElbServiceWritesAccessLogs",
                    "Effect": "Allow",
                    "Principal": {"Service": LOG_DELIVERY_SERVICE},
                    "Action": "s3:PutObject",
                    "Resource": logs,
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
