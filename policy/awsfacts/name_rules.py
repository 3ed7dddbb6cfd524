"""Each resource type's physical-name rules (P11) as `NameRule`s (`names.py`), with sources."""

from __future__ import annotations

from .names import TF_PREFIX_SUFFIX, NameRule, _bucket_shape, _not_ip

_ALNUM_HYPHEN = r"[0-9A-Za-z-]"
_NO_EDGE_HYPHEN = r"[0-9A-Za-z](?:[0-9A-Za-z-]*[0-9A-Za-z])?"
# A letter first, no '--', no trailing '-' (RDS identifiers and group names).
_RDS_SHAPE = r"[a-z](?:-?[0-9a-z])*"
_IAM_CHARS = r"[\w+=,.@-]"
_ELB = "terraform-provider-aws internal/service/elbv2/validate.go validName; botocore elbv2 "
_RDS = "terraform-provider-aws internal/service/rds/validate.go "
_IAM = "botocore iam model "

_LOAD_BALANCER = NameRule(
    "name",
    32,
    _ELB + "CreateLoadBalancerInput.Name",
    chars=_ALNUM_HYPHEN,
    pattern=_NO_EDGE_HYPHEN,
    reserved_prefixes=("internal-",),
    prefix_prop="namePrefix",
    prefix_max=6,
)
_TARGET_GROUP = NameRule(
    "name",
    32,
    _ELB + "CreateTargetGroupInput.Name (validTargetGroupName)",
    chars=_ALNUM_HYPHEN,
    pattern=_NO_EDGE_HYPHEN,
    prefix_prop="namePrefix",
    prefix_max=6,
)
_BUCKET = NameRule(
    "bucket",
    63,
    "AWS S3 User Guide 'General purpose bucket naming rules'; terraform-provider-aws "
    "internal/service/s3/bucket.go validBucketName",
    min=3,
    chars=r"[a-z0-9.-]",
    pattern=r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?",
    reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
    reserved_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
    prefix_prop="bucketPrefix",
    prefix_max=37,
    extra=_bucket_shape,
    what="bucket name",
)
_DB_IDENTIFIER = NameRule(
    "identifier",
    63,
    _RDS + "validIdentifier; botocore rds CreateDBInstanceMessage.DBInstanceIdentifier",
    chars=r"[0-9a-z-]",
    pattern=_RDS_SHAPE,
    prefix_prop="identifierPrefix",
    what="identifier",
)
_FINAL_SNAPSHOT = NameRule(
    "finalSnapshotIdentifier",
    255,
    "botocore rds DeleteDBInstanceMessage.FinalDBSnapshotIdentifier",
    chars=r"[0-9A-Za-z-]",
    pattern=r"[A-Za-z](?:-?[0-9A-Za-z])*",
    what="final snapshot identifier",
)
_PARAMETER_GROUP = NameRule(
    "name",
    255,
    _RDS + "validParamGroupName; botocore rds CreateDBParameterGroupMessage",
    chars=r"[0-9a-z.-]",
    pattern=r"[a-z](?:[.-]?[0-9a-z.])*",
    prefix_prop="namePrefix",
)
_ECS_NAME = r"[0-9A-Za-z_-]"
_ROLE = NameRule(
    "name",
    64,
    _IAM + "roleNameType; terraform-provider-aws internal/service/iam/role.go",
    chars=_IAM_CHARS,
    prefix_prop="namePrefix",
    prefix_max=38,
)

NAME_RULES: dict[str, tuple[NameRule, ...]] = {
    "aws:lb/loadBalancer:LoadBalancer": (_LOAD_BALANCER,),
    "aws:alb/loadBalancer:LoadBalancer": (_LOAD_BALANCER,),
    "aws:lb/targetGroup:TargetGroup": (_TARGET_GROUP,),
    "aws:alb/targetGroup:TargetGroup": (_TARGET_GROUP,),
    "aws:ec2/securityGroup:SecurityGroup": (
        NameRule(
            "name",
            255,
            "botocore ec2 CreateSecurityGroupRequest.GroupName; terraform-provider-aws "
            "internal/service/ec2/vpc_security_group.go (StringDoesNotMatch ^sg-)",
            chars=r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]",
            reserved_prefixes=("sg-",),
            prefix_prop="namePrefix",
        ),
    ),
    "aws:s3/bucket:Bucket": (_BUCKET,),
    "aws:s3/bucketV2:BucketV2": (_BUCKET,),
    "aws:rds/instance:Instance": (_DB_IDENTIFIER, _FINAL_SNAPSHOT),
    "aws:rds/clusterInstance:ClusterInstance": (_DB_IDENTIFIER,),
    "aws:rds/cluster:Cluster": (
        NameRule(
            "clusterIdentifier",
            63,
            _RDS + "validIdentifier; botocore rds CreateDBClusterMessage.DBClusterIdentifier",
            chars=r"[0-9a-z-]",
            pattern=_RDS_SHAPE,
            prefix_prop="clusterIdentifierPrefix",
            what="cluster identifier",
        ),
        NameRule(
            "finalSnapshotIdentifier",
            255,
            "botocore rds DeleteDBClusterMessage.FinalDBSnapshotIdentifier",
            chars=r"[0-9A-Za-z-]",
            pattern=r"[A-Za-z](?:-?[0-9A-Za-z])*",
            what="final snapshot identifier",
        ),
    ),
    "aws:rds/parameterGroup:ParameterGroup": (_PARAMETER_GROUP,),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": (_PARAMETER_GROUP,),
    "aws:rds/subnetGroup:SubnetGroup": (
        NameRule(
            "name",
            255,
            _RDS + "validSubnetGroupName; botocore rds CreateDBSubnetGroupMessage",
            chars=r"[0-9a-z_ .-]",
            pattern=r"[a-z].*",
            prefix_prop="namePrefix",
            extra=lambda v: "is 'default', which AWS reserves" if v.lower() == "default" else None,
        ),
    ),
    "aws:iam/role:Role": (_ROLE,),
    "aws:iam/policy:Policy": (
        NameRule(
            "name",
            128,
            _IAM + "policyNameType; terraform-provider-aws internal/service/iam/policy.go",
            chars=_IAM_CHARS,
            prefix_prop="namePrefix",
            prefix_max=102,
        ),
    ),
    "aws:iam/instanceProfile:InstanceProfile": (
        NameRule(
            "name",
            128,
            _IAM + "instanceProfileNameType; terraform-provider-aws iam/instance_profile.go",
            chars=_IAM_CHARS,
            prefix_prop="namePrefix",
            prefix_max=102,
        ),
    ),
    "aws:iam/group:Group": (NameRule("name", 128, _IAM + "groupNameType", chars=_IAM_CHARS),),
    "aws:iam/rolePolicy:RolePolicy": (
        NameRule("name", 128, _IAM + "policyNameType (PutRolePolicy)", chars=_IAM_CHARS),
    ),
    "aws:autoscaling/policy:Policy": (
        NameRule("name", 255, "botocore autoscaling PutScalingPolicyType.PolicyName"),
    ),
    "aws:appautoscaling/policy:Policy": (
        NameRule(
            "name",
            256,
            "botocore application-autoscaling PutScalingPolicyRequest.PolicyName",
            chars=r"[\x20-\x7e]",
        ),
    ),
    "aws:cfg/rule:Rule": (NameRule("name", 128, "botocore config ConfigRule.ConfigRuleName"),),
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": (
        NameRule("name", 512, "botocore logs PutMetricFilterRequest.filterName", chars=r"[^:*]"),
    ),
    "aws:lambda/function:Function": (
        NameRule(
            "name",
            64,
            "botocore lambda FunctionName ('If you specify only the function name, it is "
            "limited to 64 characters'); terraform-provider-aws lambda validFunctionName",
            chars=r"[a-zA-Z0-9_-]",
            what="function name",
        ),
    ),
    "aws:lambda/permission:Permission": (
        NameRule(
            "statementId",
            100,
            "botocore lambda AddPermissionRequest.StatementId (StatementId shape)",
            chars=r"[a-zA-Z0-9_-]",
            prefix_prop="statementIdPrefix",
            what="statement id",
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": (
        NameRule(
            "name",
            512,
            "botocore logs LogGroupName and CreateLogGroup ('can't start with the string "
            "aws/'); terraform-provider-aws internal/service/logs/validate.go",
            chars=r"[.\-_/#A-Za-z0-9]",
            reserved_prefixes=("aws/",),
            prefix_prop="namePrefix",
            prefix_max=483,
        ),
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (
        NameRule(
            "name",
            255,
            "botocore cloudwatch AlarmName; terraform-provider-aws cloudwatch/metric_alarm.go",
            chars=r"[^\x00-\x1f\x7f]",
        ),
    ),
    "aws:cloudwatch/eventRule:EventRule": (
        NameRule(
            "name",
            64,
            "botocore events RuleName; terraform-provider-aws internal/service/events/"
            "validate.go validateRuleName",
            chars=r"[.\-_A-Za-z0-9]",
            prefix_prop="namePrefix",
            prefix_max=38,
        ),
    ),
    "aws:cloudwatch/dashboard:Dashboard": (
        NameRule(
            "dashboardName",
            255,
            "botocore cloudwatch PutDashboardInput.DashboardName; terraform-provider-aws "
            "cloudwatch/validate.go validDashboardName",
            chars=r"[0-9A-Za-z_-]",
        ),
    ),
    "aws:sns/topic:Topic": (
        NameRule(
            "name",
            256,
            "botocore sns CreateTopicInput.Name; terraform-provider-aws sns/topic.go",
            pattern=r"[0-9A-Za-z_-]{1,256}|[0-9A-Za-z_-]{1,251}\.fifo",
            chars=r"[0-9A-Za-z_.-]",
        ),
    ),
    "aws:sqs/queue:Queue": (
        NameRule(
            "name",
            80,
            "botocore sqs CreateQueueRequest.QueueName",
            pattern=r"[0-9A-Za-z_-]{1,80}|[0-9A-Za-z_-]{1,75}\.fifo",
            chars=r"[0-9A-Za-z_.-]",
        ),
    ),
    "aws:secretsmanager/secret:Secret": (
        NameRule(
            "name",
            512,
            "botocore secretsmanager NameType; terraform-provider-aws secretsmanager/"
            "validate.go validSecretName",
            chars=r"[0-9A-Za-z/_+=.@-]",
            prefix_prop="namePrefix",
            prefix_max=486,
        ),
    ),
    "aws:kms/alias:Alias": (
        NameRule(
            "name",
            256,
            "botocore kms AliasNameType; terraform-provider-aws internal/service/kms/"
            "validate.go validNameForResource",
            chars=r"[a-zA-Z0-9/_-]",
            pattern=r"alias/[a-zA-Z0-9/_-]+",
            reserved_prefixes=("alias/aws/",),
            prefix_prop="namePrefix",
            prefix_max=256 - TF_PREFIX_SUFFIX,
        ),
    ),
    "aws:backup/vault:Vault": (
        NameRule(
            "name",
            50,
            "botocore backup BackupVaultName; terraform-provider-aws backup/vault.go",
            min=2,
            chars=r"[a-zA-Z0-9_-]",
        ),
    ),
    "aws:backup/plan:Plan": (
        NameRule(
            "name",
            50,
            "botocore backup BackupPlanInput.BackupPlanName",
            chars=r"[a-zA-Z0-9_.-]",
        ),
    ),
    "aws:backup/selection:Selection": (
        NameRule(
            "name",
            50,
            "botocore backup BackupSelection.SelectionName",
            chars=r"[a-zA-Z0-9_.-]",
        ),
    ),
    "aws:ecr/repository:Repository": (
        NameRule(
            "name",
            256,
            "botocore ecr RepositoryName",
            min=2,
            chars=r"[a-z0-9._/-]",
            pattern=r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        ),
    ),
    "aws:ecs/cluster:Cluster": (
        NameRule(
            "name",
            255,
            "botocore ecs CreateClusterRequest.clusterName; terraform-provider-aws ecs/"
            "validate.go validateClusterName",
            chars=_ECS_NAME,
        ),
    ),
    "aws:ecs/service:Service": (
        NameRule("name", 255, "botocore ecs CreateServiceRequest.serviceName", chars=_ECS_NAME),
    ),
    "aws:ecs/taskDefinition:TaskDefinition": (
        NameRule(
            "family",
            255,
            "botocore ecs RegisterTaskDefinitionRequest.family",
            chars=_ECS_NAME,
            what="family",
        ),
    ),
    "aws:cloudtrail/trail:Trail": (
        NameRule(
            "name",
            128,
            "botocore cloudtrail CreateTrailRequest.Name (start and end with a letter or "
            "digit, no adjacent '.', '_' or '-', not an IP address)",
            min=3,
            chars=r"[A-Za-z0-9._-]",
            pattern=r"[A-Za-z0-9](?:[._-]?[A-Za-z0-9])*",
            extra=_not_ip,
        ),
    ),
    "aws:cfg/recorder:Recorder": (NameRule("name", 256, "botocore config RecorderName"),),
    "aws:cfg/deliveryChannel:DeliveryChannel": (
        NameRule("name", 256, "botocore config ChannelName"),
    ),
    "aws:wafv2/webAcl:WebAcl": (
        NameRule(
            "name",
            128,
            "botocore wafv2 EntityName; terraform-provider-aws wafv2/web_acl.go",
            chars=r"[\w-]",
            prefix_prop="namePrefix",
        ),
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": (
        NameRule(
            "name",
            125,
            "terraform-provider-aws internal/verify/validate.go ValidLaunchTemplateName "
            "(AWS allows 128); botocore ec2 LaunchTemplateName",
            min=3,
            chars=r"[a-zA-Z0-9().\-/_]",
            prefix_prop="namePrefix",
            prefix_max=99,
        ),
    ),
    "aws:autoscaling/group:Group": (
        NameRule(
            "name",
            255,
            "botocore autoscaling CreateAutoScalingGroupType.AutoScalingGroupName ('You "
            "cannot use a colon (:)')",
            chars=r"[\x21-\x39\x3b-\x7e]",
            prefix_prop="namePrefix",
        ),
    ),
    "aws:ssm/parameter:Parameter": (
        NameRule(
            "name",
            1011,
            "botocore ssm PutParameterRequest.Name (no 'aws' or 'ssm' prefix, a path starts "
            "with '/')",
            chars=r"[a-zA-Z0-9_.\-/]",
            extra=lambda v: (
                "starts with 'aws' or 'ssm', which AWS reserves"
                if v.lstrip("/").lower().startswith(("aws", "ssm"))
                else (
                    "has a path but does not start with '/'"
                    if "/" in v[1:] and v[0] != "/"
                    else None
                )
            ),
        ),
    ),
}
