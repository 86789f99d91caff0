import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ProjectContext } from './project-context';

/** The roles of a ModelDeploy pipeline that a deploy target extends with what its stacks need. */
export interface DeployRoles {
  /** CodeBuild role of the build step (resolves the model, builds artifacts, exports the template). */
  readonly build: iam.Role;
  /** CodeBuild role of the staging smoke test. */
  readonly test: iam.Role;
  /** Role CloudFormation uses to deploy the staging and prod stacks. */
  readonly deploy: iam.Role;
}

/** What the pipeline needs to know about the target once it is bound. */
export interface DeployTargetBinding {
  /** Extra environment variables of the build project (the seed buildspec's contract). */
  readonly buildEnvironment: Record<string, string>;
  /** True when the build runs docker (CodeBuild privileged mode). */
  readonly privilegedBuild: boolean;
  /** Name of the template file the seed build exports. */
  readonly exportTemplateName: string;
  /** The staging stack output the smoke test reads, and the environment variable it arrives in. */
  readonly stagingTestInput: { readonly output: string; readonly variable: string };
  /**
   * A step after the prod deployment that marks what prod now runs (for example an image tag that
   * the repository's lifecycle rules never expire), when the target needs one.
   * @default - no step
   */
  readonly prodPromotion?: ProdPromotion;
}

/** The CodeBuild step that runs after DeployProd, with its own role. */
export interface ProdPromotion {
  /** The seed buildspec it runs. */
  readonly buildspec: string;
  /** Environment of the step; `BUILD_VARIABLES` are taken from the Build action's exported variables. */
  readonly environment: Record<string, string>;
  /** Exported variables of the build that the step receives under the same names. */
  readonly buildVariables: string[];
  /** Grants the step's role what it calls. */
  grant(role: iam.IRole): void;
}

/**
 * Where the approved model is served: the Lambda container service, a SageMaker endpoint, ...
 * A target creates its own resources (image repository, execution roles) and grants each pipeline
 * role exactly what its step needs for this target.
 */
export interface IDeployTarget {
  /** Short description used in resource descriptions. */
  readonly description: string;
  bind(scope: Construct, project: ProjectContext, roles: DeployRoles): DeployTargetBinding;
}

/**
 * The deploy role's grants for the alarms and dashboards of the stage stacks (the CloudWatch provider
 * schemas' handler permissions), on the given alarm and dashboard ARNs; shared by every target.
 */
export function stackMonitoringStatements(alarms: string[], dashboards: string[]): iam.PolicyStatement[] {
  const tagging = ['cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource'];
  return [
    new iam.PolicyStatement({
      sid: 'ProjectAlarms',
      actions: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms', ...tagging],
      resources: alarms,
    }),
    new iam.PolicyStatement({
      sid: 'ProjectDashboards',
      actions: ['cloudwatch:PutDashboard', 'cloudwatch:GetDashboard', 'cloudwatch:DeleteDashboards', ...tagging],
      // Dashboards are global: their ARNs have no region.
      resources: dashboards,
    }),
  ];
}
