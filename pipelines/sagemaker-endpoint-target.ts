import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeployRoles, DeployTargetBinding, IDeployTarget } from './deploy-target';
import { ProjectContext, serviceRole } from './project-context';

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

/**
 * Serves the model from a SageMaker endpoint, serverless or real-time (seed-repos/model-deploy-endpoint).
 * The build packages the inference code and exports a plain CloudFormation template:
 * Model → EndpointConfig → Endpoint. No docker: the serving image is AWS's XGBoost framework image.
 */
export class SageMakerEndpointTarget implements IDeployTarget {
  readonly description = 'SageMaker endpoint: serverless or real-time';
  modelExecutionRole?: iam.Role;

  constructor(private readonly props: SageMakerEndpointTargetProps) {}

  bind(scope: Construct, project: ProjectContext, roles: DeployRoles): DeployTargetBinding {
    const prefix = this.props.resourcePrefix;
    const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;

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
      resources: [arn('logs', `log-group:/aws/sagemaker/Endpoints/${prefix}*`), arn('logs', `log-group:/aws/sagemaker/Endpoints/${prefix}*:*`)],
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
      resources: ['endpoint', 'endpoint-config'].map((kind) => arn('sagemaker', `${kind}/${prefix}*`)),
    }));
    roles.test.addToPolicy(new iam.PolicyStatement({
      sid: 'InvokeTheStagingEndpoint',
      actions: ['sagemaker:InvokeEndpoint'],
      resources: [arn('sagemaker', `endpoint/${prefix}staging`)],
    }));

    const hosting = ['model', 'endpoint-config', 'endpoint'].map((kind) => arn('sagemaker', `${kind}/${prefix}*`));
    roles.deploy.addToPolicy(new iam.PolicyStatement({
      sid: 'ProjectModelsAndEndpoints',
      actions: [
        'sagemaker:CreateModel', 'sagemaker:DescribeModel', 'sagemaker:DeleteModel',
        'sagemaker:CreateEndpointConfig', 'sagemaker:DescribeEndpointConfig', 'sagemaker:DeleteEndpointConfig',
        'sagemaker:CreateEndpoint', 'sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint', 'sagemaker:DeleteEndpoint',
        'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags',
      ],
      resources: hosting,
    }));
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
}
