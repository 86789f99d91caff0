import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeployRoles, DeployTargetBinding, IDeployTarget, stackMonitoringStatements } from './deploy-target';
import { ProjectContext, regionalArn, serviceRole } from './project-context';

/** The template file the endpoint seed's buildspec.yml exports (plain CloudFormation YAML). */
export const ENDPOINT_EXPORT_TEMPLATE = 'template-export.yml';
/** Output of the seed's endpoint stack that the staging test reads. */
export const ENDPOINT_NAME_OUTPUT = 'EndpointName';

export interface SageMakerEndpointTargetProps {
  /** Role the SageMaker model (its serving containers) runs with. */
  readonly modelExecutionRoleName: string;
  /** Prefix of every model, endpoint config and endpoint name the deploy stacks create: `sagemaker-<id>-`. */
  readonly resourcePrefix: string;
  /**
   * AWS-owned ECR repository of the serving image (the framework image the model was trained for).
   * @default 'sagemaker-xgboost'
   */
  readonly servingImageRepository?: string;
}

/** The service-linked role Application Auto Scaling creates on the first RegisterScalableTarget for a SageMaker variant. */
export const SAGEMAKER_AUTOSCALING_SERVICE = 'sagemaker.application-autoscaling.amazonaws.com';
export const SAGEMAKER_AUTOSCALING_ROLE = `aws-service-role/${SAGEMAKER_AUTOSCALING_SERVICE}/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`;

/**
 * Serves the model from a SageMaker endpoint, serverless or real-time (seed-repos/model-deploy-endpoint).
 * The build packages the inference code and exports a plain CloudFormation template:
 * Model → EndpointConfig → Endpoint, with the stage's alarms, dashboard and (real-time) autoscaling.
 * No docker: the serving image is AWS's XGBoost framework image.
 */
export class SageMakerEndpointTarget implements IDeployTarget {
  readonly description = 'SageMaker endpoint: serverless or real-time';
  modelExecutionRole?: iam.Role;

  constructor(private readonly props: SageMakerEndpointTargetProps) {}

  bind(scope: Construct, project: ProjectContext, roles: DeployRoles): DeployTargetBinding {
    const prefix = this.props.resourcePrefix;

    const modelRole = serviceRole(scope, 'ModelExecutionRole', this.props.modelExecutionRoleName, 'sagemaker.amazonaws.com',
      'Runs the endpoint\'s serving containers: reads the model and inference code, pulls the framework image, writes logs');
    project.artifactBucket.grantRead(modelRole);
    modelRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PullServingImage',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      // The framework image lives in an AWS-owned account that differs per region.
      resources: [`arn:${Aws.PARTITION}:ecr:${Aws.REGION}:*:repository/${this.props.servingImageRepository ?? 'sagemaker-xgboost'}`],
    }));
    modelRole.addToPolicy(new iam.PolicyStatement({
      sid: 'RegistryLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    modelRole.addToPolicy(new iam.PolicyStatement({
      sid: 'EndpointLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: [regionalArn('logs', `log-group:/aws/sagemaker/Endpoints/${prefix}*`), regionalArn('logs', `log-group:/aws/sagemaker/Endpoints/${prefix}*:*`)],
    }));
    modelRole.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadTheRollbackAlarms',
      // SageMaker "Auto-Rollback Configuration and Monitoring": the execution role must be allowed
      // cloudwatch:DescribeAlarms on the alarms a blue/green deployment watches (the stage's own alarms).
      actions: ['cloudwatch:DescribeAlarms'],
      resources: [regionalArn('cloudwatch', `alarm:${prefix}*`)],
    }));
    modelRole.addToPolicy(new iam.PolicyStatement({
      sid: 'EndpointMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));

    roles.build.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadTheDeployedEndpointModes',
      // scripts/check_endpoint_modes.py: refuses a real-time -> serverless switch UpdateEndpoint cannot make.
      actions: ['sagemaker:DescribeEndpoint', 'sagemaker:DescribeEndpointConfig'],
      resources: ['endpoint', 'endpoint-config'].map((kind) => regionalArn('sagemaker', `${kind}/${prefix}*`)),
    }));
    roles.build.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadTheAutoscaledVariants',
      // scripts/check_endpoint_modes.py: refuses a new instance type for a variant registered for autoscaling.
      // Describe calls of Application Auto Scaling have no resource-level permissions.
      actions: ['application-autoscaling:DescribeScalableTargets'],
      resources: ['*'],
    }));
    roles.test.addToPolicy(new iam.PolicyStatement({
      sid: 'InvokeTheStagingEndpoint',
      actions: ['sagemaker:InvokeEndpoint'],
      resources: [regionalArn('sagemaker', `endpoint/${prefix}staging`)],
    }));

    const hosting = ['model', 'endpoint-config', 'endpoint'].map((kind) => regionalArn('sagemaker', `${kind}/${prefix}*`));
    roles.deploy.addToPolicy(new iam.PolicyStatement({
      sid: 'ProjectModelsAndEndpoints',
      actions: [
        'sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel',
        'sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig',
        'sagemaker:CreateEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint',
        'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags',
        // Registering a variant for autoscaling needs the caller to be allowed to resize it (SageMaker "Auto scaling prerequisites").
        'sagemaker:UpdateEndpointWeightsAndCapacities',
      ],
      resources: hosting,
    }));
    this.grantOperations(roles.deploy, prefix);
    roles.deploy.addToPolicy(new iam.PolicyStatement({
      sid: 'PassOnlyTheModelRole',
      actions: ['iam:PassRole'],
      resources: [modelRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));

    this.modelExecutionRole = modelRole;
    return {
      privilegedBuild: false,
      exportTemplateName: ENDPOINT_EXPORT_TEMPLATE,
      stagingTestInput: { output: ENDPOINT_NAME_OUTPUT, variable: 'STAGING_ENDPOINT_NAME' },
      buildEnvironment: { MODEL_EXECUTION_ROLE_ARN: modelRole.roleArn },
    };
  }
  /**
   * The deploy stacks' alarms, dashboard and autoscaling: CloudFormation's handler calls for them (their
   * resource provider schemas), on the project's names; scalable targets have generated ids, so those
   * statements are held to SageMaker variants by Application Auto Scaling's condition keys.
   */
  private grantOperations(role: iam.Role, prefix: string): void {
    const scalableTargets = regionalArn('application-autoscaling', 'scalable-target/*');
    const sageMakerVariants = {
      StringEquals: {
        'application-autoscaling:service-namespace': 'sagemaker',
        'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount',
      },
    };
    const statements = [
      ...stackMonitoringStatements([regionalArn('cloudwatch', `alarm:${prefix}*`)], [`arn:${Aws.PARTITION}:cloudwatch::${Aws.ACCOUNT_ID}:dashboard/${prefix}*`]),
      new iam.PolicyStatement({
        sid: 'ScaleSageMakerVariants',
        actions: [
          'application-autoscaling:RegisterScalableTarget', 'application-autoscaling:DeregisterScalableTarget',
          'application-autoscaling:PutScalingPolicy', 'application-autoscaling:DeleteScalingPolicy',
        ],
        resources: [scalableTargets],
        conditions: sageMakerVariants,
      }),
      new iam.PolicyStatement({
        sid: 'TagScalableTargets',
        // Tag actions carry no service-namespace key.
        actions: ['application-autoscaling:TagResource', 'application-autoscaling:UntagResource', 'application-autoscaling:ListTagsForResource'],
        resources: [scalableTargets],
      }),
      new iam.PolicyStatement({
        sid: 'TargetTrackingAlarms',
        // The ScalableTarget handler manages the alarms of target tracking, named TargetTracking-<resource id>-...
        actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms'],
        resources: [regionalArn('cloudwatch', `alarm:TargetTracking-endpoint/${prefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'AutoScalingReads',
        // No resource-level permissions (Service Authorization Reference).
        actions: [
          'application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies',
          'application-autoscaling:DescribeScheduledActions', 'cloudwatch:GetMetricData',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'CreateTheSageMakerAutoScalingRole',
        // Application Auto Scaling "Service-linked roles": the first RegisterScalableTarget creates it as the caller.
        actions: ['iam:CreateServiceLinkedRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${SAGEMAKER_AUTOSCALING_ROLE}`],
        conditions: { StringEquals: { 'iam:AWSServiceName': SAGEMAKER_AUTOSCALING_SERVICE } },
      }),
    ];
    statements.forEach((s) => role.addToPolicy(s));
  }
}
