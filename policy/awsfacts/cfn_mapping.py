"""pulumi-aws types and properties -> CloudFormation types and properties, as data.

pulumi-aws is Terraform-shaped, the registry schemas are CloudFormation-shaped. A property is
mapped one of three ways:

- by name: a wire (camelCase) property whose PascalCase form is a property of the CloudFormation
  object at the same place (`retentionInDays` -> `RetentionInDays`), at any depth under a
  mapped parent;
- by `renames`: pulumi path -> CloudFormation path, `[]` marking list items in both
  (`rules[].schedule` -> `BackupPlan.BackupPlanRule[].ScheduleExpression`);
- not at all, by `skip`: pulumi path -> why the two disagree in meaning; the schema's
  constraint is not applied there (nor below it).

`extensions` name the cfn-lint extension schemas (cross-property rules) applied to the whole
resource, with the cfn-lint rule that applies them. Sources: the CloudFormation resource
reference and the pulumi-aws API docs of each type (property descriptions), read side by side;
the mapping was checked against cfn-lint `CHECKED_VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

CHECKED_VERSION = "1.58.0"
"""The cfn-lint release whose schemas this mapping was checked against (a test pins it)."""


@dataclass(frozen=True)
class Extension:
    """A cfn-lint extension schema applied to a resource's properties."""

    filename: str
    rule: str
    """The cfn-lint rule that applies it (its id and title), for the finding's source."""


@dataclass(frozen=True)
class TypeMap:
    """How one pulumi-aws type reads as a CloudFormation type."""

    cfn: str
    renames: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)
    extensions: tuple[Extension, ...] = ()
    accepted: dict[str, tuple[object, ...]] = field(default_factory=dict)
    """pulumi path -> values the provider accepts that the schema does not (not flagged)."""


ALL = "*"
"""A `skip` key: no property of the type is mapped by name, only by `renames`."""

# Reasons shared by several types.
_TAGS = "a map in pulumi-aws, a list of Key/Value objects in CloudFormation"
_NAME_PREFIX = "pulumi-aws appends 26 characters; the name rules check prefixes"
_POLICY_JSON = "a JSON string in pulumi-aws, an object in CloudFormation"
_SECONDS_NOT_MINUTES = "different unit"

_BUCKET_SCOPED = {"bucket": "the bucket's name, checked on the bucket itself"}

_LB_SKIP = {
    "name": "autonamed by the harness under pulumi-aws's own rules (preflight-physical-names)",
    "namePrefix": _NAME_PREFIX,
    "tags": _TAGS,
}

TYPE_MAP: dict[str, TypeMap] = {
    # ---------------------------------------------------------------- used by this project
    "aws:autoscaling/group:Group": TypeMap(
        "AWS::AutoScaling::AutoScalingGroup",
        renames={"name": "AutoScalingGroupName"},
        skip={
            "tags": "a list of tag blocks with propagateAtLaunch, shaped differently",
            "minSize": "a number in pulumi-aws, a string in CloudFormation",
            "maxSize": "a number in pulumi-aws, a string in CloudFormation",
            "desiredCapacity": "a number in pulumi-aws, a string in CloudFormation",
        },
    ),
    "aws:autoscaling/policy:Policy": TypeMap(
        "AWS::AutoScaling::ScalingPolicy",
        skip={"name": "CloudFormation has no name; pulumi-aws's policy name has no schema"},
    ),
    "aws:backup/plan:Plan": TypeMap(
        "AWS::Backup::BackupPlan",
        renames={
            "name": "BackupPlan.BackupPlanName",
            "rules[].ruleName": "BackupPlan.BackupPlanRule[].RuleName",
            "rules[].targetVaultName": "BackupPlan.BackupPlanRule[].TargetBackupVault",
            "rules[].schedule": "BackupPlan.BackupPlanRule[].ScheduleExpression",
            "rules[].startWindow": "BackupPlan.BackupPlanRule[].StartWindowMinutes",
            "rules[].completionWindow": "BackupPlan.BackupPlanRule[].CompletionWindowMinutes",
            "rules[].lifecycle.coldStorageAfter": (
                "BackupPlan.BackupPlanRule[].Lifecycle.MoveToColdStorageAfterDays"
            ),
            "rules[].lifecycle.deleteAfter": (
                "BackupPlan.BackupPlanRule[].Lifecycle.DeleteAfterDays"
            ),
        },
        skip={"tags": _TAGS},
    ),
    "aws:backup/vault:Vault": TypeMap(
        "AWS::Backup::BackupVault",
        renames={"name": "BackupVaultName", "kmsKeyArn": "EncryptionKeyArn"},
        skip={"tags": "a map in both, but CloudFormation's BackupVaultTags"},
    ),
    "aws:backup/selection:Selection": TypeMap(
        "AWS::Backup::BackupSelection",
        renames={
            "name": "BackupSelection.SelectionName",
            "iamRoleArn": "BackupSelection.IamRoleArn",
            "resources": "BackupSelection.Resources",
        },
    ),
    "aws:cloudwatch/dashboard:Dashboard": TypeMap(
        "AWS::CloudWatch::Dashboard", renames={"dashboardName": "DashboardName"}
    ),
    "aws:cloudwatch/eventRule:EventRule": TypeMap(
        "AWS::Events::Rule",
        skip={
            "tags": _TAGS,
            "namePrefix": _NAME_PREFIX,
            "eventPattern": _POLICY_JSON,
            "state": "pulumi-aws adds ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS itself",
        },
    ),
    "aws:cloudwatch/eventTarget:EventTarget": TypeMap(
        "AWS::Events::Rule",
        renames={"targetId": "Targets[].Id"},
        skip={
            ALL: "a target is one item of the rule's Targets, not the rule",
        },
    ),
    "aws:cloudwatch/logGroup:LogGroup": TypeMap(
        "AWS::Logs::LogGroup",
        renames={"name": "LogGroupName"},
        skip={
            "namePrefix": _NAME_PREFIX,
            "tags": _TAGS,
        },
        # pulumi-aws (logs/group.go IntInSlice) also takes 0 for 'never expire', which
        # CloudFormation expresses by leaving the property out.
        accepted={"retentionInDays": (0,)},
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": TypeMap(
        "AWS::CloudWatch::Alarm",
        renames={"name": "AlarmName"},
        skip={"tags": _TAGS, "metricQueries": "shaped differently (returnData, ...)"},
        extensions=(Extension("period.json", "E3615 CloudWatch alarm period"),),
    ),
    "aws:ec2/eip:Eip": TypeMap("AWS::EC2::EIP", skip={"tags": _TAGS}),
    "aws:ec2/flowLog:FlowLog": TypeMap("AWS::EC2::FlowLog", skip={"tags": _TAGS}),
    "aws:ec2/instance:Instance": TypeMap(
        "AWS::EC2::Instance",
        skip={
            "tags": _TAGS,
            "userData": "plain text in pulumi-aws, base64 in CloudFormation",
            "rootBlockDevice": "shaped differently (BlockDeviceMappings)",
        },
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": TypeMap(
        "AWS::EC2::LaunchTemplate",
        renames={"name": "LaunchTemplateName"},
        skip={
            "namePrefix": _NAME_PREFIX,
            "tags": _TAGS,
            "tagSpecifications": "maps of tags in pulumi-aws",
            "description": "the template's description, not the version's",
        },
    ),
    "aws:ec2/natGateway:NatGateway": TypeMap("AWS::EC2::NatGateway", skip={"tags": _TAGS}),
    "aws:ec2/route:Route": TypeMap("AWS::EC2::Route"),
    "aws:ec2/routeTable:RouteTable": TypeMap(
        "AWS::EC2::RouteTable",
        skip={"tags": _TAGS, "routes": "inline routes, not a CloudFormation property"},
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": TypeMap(
        "AWS::EC2::SubnetRouteTableAssociation"
    ),
    "aws:ec2/securityGroup:SecurityGroup": TypeMap(
        "AWS::EC2::SecurityGroup",
        renames={"name": "GroupName", "description": "GroupDescription"},
        skip={
            "namePrefix": _NAME_PREFIX,
            "tags": _TAGS,
            "ingress": "shaped differently (cidrBlocks lists)",
            "egress": "shaped differently (cidrBlocks lists)",
        },
    ),
    "aws:ec2/subnet:Subnet": TypeMap("AWS::EC2::Subnet", skip={"tags": _TAGS}),
    "aws:ec2/vpc:Vpc": TypeMap("AWS::EC2::VPC", skip={"tags": _TAGS}),
    "aws:ec2/vpcEndpoint:VpcEndpoint": TypeMap(
        "AWS::EC2::VPCEndpoint", skip={"tags": _TAGS, "policy": _POLICY_JSON}
    ),
    "aws:ec2/internetGateway:InternetGateway": TypeMap(
        "AWS::EC2::InternetGateway", skip={"tags": _TAGS}
    ),
    "aws:ecr/repository:Repository": TypeMap(
        "AWS::ECR::Repository",
        renames={"name": "RepositoryName"},
        skip={"tags": _TAGS, "imageScanningConfiguration": "shaped the same, checked by name"},
    ),
    "aws:ecs/cluster:Cluster": TypeMap(
        "AWS::ECS::Cluster",
        renames={"name": "ClusterName"},
        skip={"tags": _TAGS, "settings": "shaped the same; values are free text"},
    ),
    "aws:ecs/taskDefinition:TaskDefinition": TypeMap(
        "AWS::ECS::TaskDefinition",
        skip={
            "tags": _TAGS,
            "containerDefinitions": "a JSON string in pulumi-aws, a list in CloudFormation",
            "volumes": "shaped differently (efsVolumeConfiguration blocks)",
        },
        extensions=(Extension("fargate_cpu_memory.json", "E3047 Fargate CPU/memory pairs"),),
    ),
    "aws:iam/instanceProfile:InstanceProfile": TypeMap(
        "AWS::IAM::InstanceProfile",
        renames={"name": "InstanceProfileName"},
        skip={
            "namePrefix": _NAME_PREFIX,
            "tags": _TAGS,
            "role": "one role name in pulumi-aws, a list (Roles) in CloudFormation",
        },
    ),
    "aws:iam/role:Role": TypeMap(
        "AWS::IAM::Role",
        renames={"name": "RoleName"},
        skip={
            "namePrefix": _NAME_PREFIX,
            "tags": _TAGS,
            "assumeRolePolicy": _POLICY_JSON,
            "inlinePolicies": "shaped differently",
        },
    ),
    "aws:kms/alias:Alias": TypeMap(
        "AWS::KMS::Alias",
        skip={"name": "checked by the name rules", "namePrefix": _NAME_PREFIX},
        renames={"targetKeyId": "TargetKeyId"},
    ),
    "aws:kms/key:Key": TypeMap(
        "AWS::KMS::Key",
        skip={
            "tags": _TAGS,
            "policy": _POLICY_JSON,
        },
        renames={"deletionWindowInDays": "PendingWindowInDays"},
    ),
    "aws:lambda/function:Function": TypeMap(
        "AWS::Lambda::Function",
        renames={"name": "FunctionName"},
        skip={
            "tags": _TAGS,
            "code": "an archive asset in pulumi-aws",
            "environment": "shaped the same; keys checked by the provider",
            "runtime": "new runtimes reach the provider before the schema: the runtime "
            "policy checks deprecations",
        },
    ),
    "aws:lambda/permission:Permission": TypeMap(
        "AWS::Lambda::Permission", renames={"function": "FunctionName"}
    ),
    "aws:lb/listener:Listener": TypeMap(
        "AWS::ElasticLoadBalancingV2::Listener",
        skip={
            "tags": _TAGS,
            "defaultActions": "shaped differently (forward blocks, redirect status codes)",
            "sslPolicy": "checked against the pack's catalog (preflight-elb-ssl-policy)",
        },
    ),
    "aws:lb/listenerRule:ListenerRule": TypeMap(
        "AWS::ElasticLoadBalancingV2::ListenerRule",
        skip={
            "tags": _TAGS,
            "actions": "shaped differently",
            "conditions": "shaped differently (pathPattern blocks)",
        },
    ),
    "aws:lb/loadBalancer:LoadBalancer": TypeMap(
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        skip={
            **_LB_SKIP,
            "accessLogs": "attributes in CloudFormation (LoadBalancerAttributes)",
            "subnetMappings": "shaped the same; checked by name",
        },
    ),
    "aws:lb/targetGroup:TargetGroup": TypeMap(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        renames={
            "healthCheck.interval": "HealthCheckIntervalSeconds",
            "healthCheck.timeout": "HealthCheckTimeoutSeconds",
            "healthCheck.healthyThreshold": "HealthyThresholdCount",
            "healthCheck.unhealthyThreshold": "UnhealthyThresholdCount",
            "healthCheck.path": "HealthCheckPath",
            "healthCheck.protocol": "HealthCheckProtocol",
            "healthCheck.enabled": "HealthCheckEnabled",
        },
        skip={
            **_LB_SKIP,
            "healthCheck.matcher": "a string in pulumi-aws, an object in CloudFormation",
            "healthCheck.port": "'traffic-port' is pulumi-aws's default",
            "stickiness": "attributes in CloudFormation (TargetGroupAttributes)",
        },
        extensions=(
            Extension(
                "healthcheckprotocol_restrictions.json",
                "E3060 target group health check protocol restrictions",
            ),
        ),
    ),
    "aws:rds/cluster:Cluster": TypeMap(
        "AWS::RDS::DBCluster",
        renames={
            "clusterIdentifier": "DBClusterIdentifier",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "dbClusterParameterGroupName": "DBClusterParameterGroupName",
            "finalSnapshotIdentifier": "SnapshotIdentifier",
        },
        skip={
            "tags": _TAGS,
            "clusterIdentifierPrefix": _NAME_PREFIX,
            "finalSnapshotIdentifier": "a snapshot taken on deletion; its name rules apply",
            "masterPassword": "secret; checked by RDS",
            "engineVersion": "pulumi-aws accepts a major-version prefix",
        },
    ),
    "aws:rds/clusterInstance:ClusterInstance": TypeMap(
        "AWS::RDS::DBInstance",
        renames={
            "identifier": "DBInstanceIdentifier",
            "instanceClass": "DBInstanceClass",
            "clusterIdentifier": "DBClusterIdentifier",
        },
        skip={
            "tags": _TAGS,
            "identifierPrefix": _NAME_PREFIX,
            "engineVersion": "pulumi-aws accepts a major-version prefix",
        },
    ),
    "aws:rds/instance:Instance": TypeMap(
        "AWS::RDS::DBInstance",
        renames={
            "identifier": "DBInstanceIdentifier",
            "instanceClass": "DBInstanceClass",
            "dbName": "DBName",
            "dbSubnetGroupName": "DBSubnetGroupName",
            "parameterGroupName": "DBParameterGroupName",
            "username": "MasterUsername",
            "maxAllocatedStorage": "MaxAllocatedStorage",
        },
        skip={
            "tags": _TAGS,
            "identifierPrefix": _NAME_PREFIX,
            "allocatedStorage": "a number in pulumi-aws, a string in CloudFormation",
            "engineVersion": "pulumi-aws accepts a major-version prefix",
            "finalSnapshotIdentifier": "checked by the name rules",
            "password": "secret; checked by RDS",
        },
    ),
    "aws:rds/parameterGroup:ParameterGroup": TypeMap(
        "AWS::RDS::DBParameterGroup",
        renames={"name": "DBParameterGroupName"},
        skip={
            "tags": _TAGS,
            "namePrefix": _NAME_PREFIX,
            "parameters": "a list of name/value/applyMethod in pulumi-aws, a map in CloudFormation",
            "description": "pulumi-aws fills 'Managed by Pulumi' by default",
        },
    ),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": TypeMap(
        "AWS::RDS::DBClusterParameterGroup",
        renames={"name": "DBClusterParameterGroupName"},
        skip={
            "tags": _TAGS,
            "namePrefix": _NAME_PREFIX,
            "parameters": "a list in pulumi-aws, a map in CloudFormation",
            "description": "pulumi-aws fills 'Managed by Pulumi' by default",
        },
    ),
    "aws:rds/subnetGroup:SubnetGroup": TypeMap(
        "AWS::RDS::DBSubnetGroup",
        renames={"name": "DBSubnetGroupName", "description": "DBSubnetGroupDescription"},
        skip={"tags": _TAGS, "namePrefix": _NAME_PREFIX},
    ),
    "aws:rds/eventSubscription:EventSubscription": TypeMap(
        "AWS::RDS::EventSubscription",
        renames={"name": "SubscriptionName"},
        skip={"tags": _TAGS, "namePrefix": _NAME_PREFIX},
    ),
    "aws:s3/bucket:Bucket": TypeMap(
        "AWS::S3::Bucket",
        renames={"bucket": "BucketName"},
        skip={
            "tags": _TAGS,
            "bucketPrefix": _NAME_PREFIX,
            "bucket": "autonamed under pulumi-aws's rules; preflight-physical-names checks it",
        },
    ),
    "aws:s3/bucketPolicy:BucketPolicy": TypeMap(
        "AWS::S3::BucketPolicy", skip={**_BUCKET_SCOPED, "policy": _POLICY_JSON}
    ),
    "aws:secretsmanager/secret:Secret": TypeMap(
        "AWS::SecretsManager::Secret",
        skip={"tags": _TAGS, "namePrefix": _NAME_PREFIX, "policy": _POLICY_JSON},
    ),
    "aws:secretsmanager/secretRotation:SecretRotation": TypeMap(
        "AWS::SecretsManager::RotationSchedule",
        renames={"secretId": "SecretId", "rotationLambdaArn": "RotationLambdaARN"},
    ),
    "aws:sns/topic:Topic": TypeMap(
        "AWS::SNS::Topic",
        renames={"name": "TopicName"},
        skip={"tags": _TAGS, "namePrefix": _NAME_PREFIX, "policy": _POLICY_JSON},
    ),
    "aws:sns/topicPolicy:TopicPolicy": TypeMap(
        "AWS::SNS::TopicPolicy", skip={"arn": "one topic", "policy": _POLICY_JSON}
    ),
    "aws:sns/topicSubscription:TopicSubscription": TypeMap(
        "AWS::SNS::Subscription",
        renames={"topic": "TopicArn"},
        skip={
            "filterPolicy": _POLICY_JSON,
            "redrivePolicy": _POLICY_JSON,
            "deliveryPolicy": _POLICY_JSON,
        },
        extensions=(),
    ),
    "aws:wafv2/webAcl:WebAcl": TypeMap(
        "AWS::WAFv2::WebACL",
        skip={
            "tags": _TAGS,
            "rules": "shaped differently (statement blocks)",
            "defaultAction": "shaped differently",
            "rule": "shaped differently",
            "ruleJson": _POLICY_JSON,
        },
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": TypeMap(
        "AWS::WAFv2::WebACLAssociation",
        renames={"webAclArn": "WebACLArn"},
    ),
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": TypeMap(
        "AWS::WAFv2::LoggingConfiguration",
        skip={
            "redactedFields": "shaped differently",
            "loggingFilter": "shaped differently",
        },
    ),
    # ---------------------------------------------------------------- other common types
    "aws:sqs/queue:Queue": TypeMap(
        "AWS::SQS::Queue",
        renames={
            "name": "QueueName",
            "visibilityTimeoutSeconds": "VisibilityTimeout",
            "messageRetentionSeconds": "MessageRetentionPeriod",
            "maxMessageSize": "MaximumMessageSize",
            "delaySeconds": "DelaySeconds",
            "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
            "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
        },
        skip={
            "tags": _TAGS,
            "namePrefix": _NAME_PREFIX,
            "policy": _POLICY_JSON,
            "redrivePolicy": _POLICY_JSON,
            "redriveAllowPolicy": _POLICY_JSON,
        },
        extensions=(Extension("properties.json", "E3503 SQS FIFO properties"),),
    ),
    "aws:dynamodb/table:Table": TypeMap(
        "AWS::DynamoDB::Table",
        renames={"name": "TableName"},
        skip={
            "tags": _TAGS,
            "attributes": "shaped differently (name/type)",
            "hashKey": "KeySchema in CloudFormation",
            "rangeKey": "KeySchema in CloudFormation",
            "readCapacity": "ProvisionedThroughput in CloudFormation",
            "writeCapacity": "ProvisionedThroughput in CloudFormation",
            "billingMode": "pulumi-aws fills PROVISIONED by default",
            "pointInTimeRecovery": "shaped differently",
            "ttl": "shaped differently",
            "serverSideEncryption": "shaped differently",
        },
    ),
    "aws:kinesis/stream:Stream": TypeMap(
        "AWS::Kinesis::Stream",
        renames={"retentionPeriod": "RetentionPeriodHours"},
        skip={"tags": _TAGS, "streamModeDetails": "shaped the same; checked by name"},
    ),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": TypeMap(
        "AWS::ECR::Repository",
        renames={"repository": "RepositoryName"},
        skip={ALL: "a repository's lifecycle policy, not the repository"},
    ),
    "aws:efs/fileSystem:FileSystem": TypeMap(
        "AWS::EFS::FileSystem",
        skip={"tags": _TAGS, "lifecyclePolicies": "shaped differently"},
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": TypeMap(
        "AWS::ElastiCache::ReplicationGroup",
        renames={
            "description": "ReplicationGroupDescription",
            "nodeType": "CacheNodeType",
            "numCacheClusters": "NumCacheClusters",
        },
        skip={"tags": _TAGS},
    ),
    "aws:route53/healthCheck:HealthCheck": TypeMap(
        "AWS::Route53::HealthCheck",
        renames={
            "type": "HealthCheckConfig.Type",
            "requestInterval": "HealthCheckConfig.RequestInterval",
            "failureThreshold": "HealthCheckConfig.FailureThreshold",
            "port": "HealthCheckConfig.Port",
            "resourcePath": "HealthCheckConfig.ResourcePath",
            "fqdn": "HealthCheckConfig.FullyQualifiedDomainName",
            "ipAddress": "HealthCheckConfig.IPAddress",
            "searchString": "HealthCheckConfig.SearchString",
            "childHealthThreshold": "HealthCheckConfig.HealthThreshold",
            "insufficientDataHealthStatus": "HealthCheckConfig.InsufficientDataHealthStatus",
            "regions": "HealthCheckConfig.Regions",
        },
        skip={"tags": _TAGS},
    ),
    "aws:cloudtrail/trail:Trail": TypeMap(
        "AWS::CloudTrail::Trail",
        renames={"name": "TrailName", "s3BucketName": "S3BucketName"},
        skip={
            "tags": _TAGS,
            "eventSelectors": "shaped differently",
            "advancedEventSelectors": "shaped differently",
        },
    ),
    "aws:apigateway/stage:Stage": TypeMap("AWS::ApiGateway::Stage", skip={"tags": _TAGS}),
    "aws:ssm/parameter:Parameter": TypeMap(
        "AWS::SSM::Parameter",
        skip={
            "tags": _TAGS,
            # pulumi-aws creates SecureString parameters (PutParameter); CloudFormation
            # cannot, so its Type enum leaves SecureString out.
            "type": "pulumi-aws accepts SecureString, which the CloudFormation schema refuses",
            "value": "secret or free text",
            "insecureValue": "free text",
        },
    ),
    "aws:sfn/stateMachine:StateMachine": TypeMap(
        "AWS::StepFunctions::StateMachine",
        renames={"name": "StateMachineName", "type": "StateMachineType"},
        skip={"tags": _TAGS, "definition": "a JSON string", "namePrefix": _NAME_PREFIX},
    ),
    "aws:cloudfront/distribution:Distribution": TypeMap(
        "AWS::CloudFront::Distribution",
        skip={ALL: "Terraform-shaped blocks with no CloudFormation counterpart by name"},
    ),
    "aws:elasticbeanstalk/application:Application": TypeMap(
        "AWS::ElasticBeanstalk::Application",
        renames={"name": "ApplicationName"},
        skip={"tags": _TAGS, "appversionLifecycle": "shaped differently"},
    ),
    "aws:cognito/userPool:UserPool": TypeMap(
        "AWS::Cognito::UserPool",
        renames={"name": "UserPoolName"},
        skip={"tags": _TAGS, ALL: "blocks shaped differently"},
    ),
    "aws:ebs/volume:Volume": TypeMap(
        "AWS::EC2::Volume", renames={"type": "VolumeType"}, skip={"tags": _TAGS}
    ),
    "aws:lambda/eventSourceMapping:EventSourceMapping": TypeMap(
        "AWS::Lambda::EventSourceMapping",
        skip={"filterCriteria": "shaped differently"},
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": TypeMap(
        "AWS::Glue::Database",
        renames={"name": "DatabaseInput.Name", "description": "DatabaseInput.Description"},
    ),
}
"""Every mapped type. A type not here gets no schema constraints (the coverage tool lists it)."""
