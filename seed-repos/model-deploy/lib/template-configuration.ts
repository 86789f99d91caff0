import { DEPLOYMENT_PREFERENCES, StageConfig } from './stage-config';
import { Params, Stage, TAG_PROJECT_ID, TAG_PROJECT_NAME, TAG_STAGE } from './template-contract';

/**
 * What the build knows about this deployment besides the stage file: the project, the image
 * it just pushed, the role the project created, and the model baked into the image.
 */
export interface DeploymentInputs {
  /** SageMaker project name (tag only; names may contain upper case, so never in a resource name). */
  readonly projectName: string;
  /** SageMaker project id (`p-` + 12 lowercase alphanumerics). */
  readonly projectId: string;
  /** Name of the project's ECR repository. */
  readonly imageRepositoryName: string;
  /** Tag of the image the build pushed. */
  readonly imageTag: string;
  /** ARN of the Lambda execution role the project created. */
  readonly lambdaExecutionRoleArn: string;
  /** The approved model package baked into the image. */
  readonly modelPackageArn: string;
  readonly modelPackageVersion: number;
  /** Role CodeDeploy shifts the `live` alias with (created by the project). */
  readonly codeDeployRoleArn: string;
  /**
   * The project's notification topic; every alarm notifies it. Absent (e.g. on a laptop): the
   * alarms have no actions.
   */
  readonly notificationTopicArn?: string;
}

/**
 * A CodePipeline CloudFormation action "template configuration" file.
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CloudFormation.html
 */
export interface TemplateConfiguration {
  /** Template parameter values; CloudFormation takes them all as strings. */
  readonly Parameters: Record<string, string>;
  /** Stack tags; CloudFormation propagates them to every taggable resource. */
  readonly Tags: Record<string, string>;
}

/** The template configuration of one stage: every template parameter, all values as strings. */
export function buildTemplateConfiguration(stage: Stage, config: StageConfig, inputs: DeploymentInputs): TemplateConfiguration {
  const parameters: Record<(typeof Params)[keyof typeof Params], string | number | boolean> = {
    [Params.projectId]: inputs.projectId,
    [Params.stage]: stage,
    [Params.imageRepositoryName]: inputs.imageRepositoryName,
    [Params.imageTag]: inputs.imageTag,
    [Params.lambdaExecutionRoleArn]: inputs.lambdaExecutionRoleArn,
    [Params.modelPackageArn]: inputs.modelPackageArn,
    [Params.modelPackageVersion]: inputs.modelPackageVersion,
    [Params.memorySize]: config.memorySize,
    [Params.timeoutSeconds]: config.timeoutSeconds,
    [Params.reservedConcurrency]: config.reservedConcurrency,
    [Params.throttlingRateLimit]: config.throttling.rateLimit,
    [Params.throttlingBurstLimit]: config.throttling.burstLimit,
    [Params.logRetentionDays]: config.logRetentionDays,
    [Params.allowUnauthenticated]: config.allowUnauthenticated,
    [Params.serverErrorAlarmThreshold]: config.alarms.serverErrorCount,
    [Params.latencyP99AlarmThresholdMs]: config.alarms.latencyP99Ms,
    [Params.lambdaErrorAlarmThreshold]: config.alarms.lambdaErrorCount,
    [Params.throttleAlarmThreshold]: config.alarms.throttleCount,
    [Params.notificationTopicArn]: inputs.notificationTopicArn ?? '',
    [Params.codeDeployRoleArn]: inputs.codeDeployRoleArn,
    [Params.deploymentConfigName]: DEPLOYMENT_PREFERENCES[config.deploymentPreference],
    [Params.snapStart]: config.snapStart,
    [Params.provisionedConcurrency]: config.provisionedConcurrency,
  };
  return {
    Parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)])),
    Tags: {
      [TAG_PROJECT_NAME]: inputs.projectName,
      [TAG_PROJECT_ID]: inputs.projectId,
      [TAG_STAGE]: stage,
    },
  };
}

/** The parts of a CloudFormation parameter declaration that constrain its value. */
interface ParameterDeclaration {
  readonly Type: string;
  readonly Default?: string | number;
  readonly MinValue?: number;
  readonly MaxValue?: number;
  readonly MinLength?: number;
  readonly MaxLength?: number;
  readonly AllowedValues?: readonly (string | number)[];
  readonly AllowedPattern?: string;
}

/**
 * Checks parameter values the way CloudFormation will at deploy time, so a bad configuration
 * fails the build instead of the staging or prod deployment.
 * @returns one message per problem; empty when the values are accepted
 */
export function checkParametersAgainstTemplate(
  template: { readonly Parameters?: Record<string, ParameterDeclaration> },
  parameters: Readonly<Record<string, string>>,
): string[] {
  const declared = template.Parameters ?? {};
  const problems: string[] = [];
  for (const key of Object.keys(parameters)) {
    if (!(key in declared)) problems.push(`parameter "${key}" is not a template parameter`);
  }
  for (const [key, decl] of Object.entries(declared)) {
    const value = parameters[key];
    if (value === undefined) {
      if (decl.Default === undefined) problems.push(`parameter "${key}" has no default and no value`);
      continue;
    }
    problems.push(...checkValue(key, decl, value));
  }
  return problems;
}

function checkValue(key: string, decl: ParameterDeclaration, value: string): string[] {
  const problems: string[] = [];
  if (decl.Type === 'Number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      return [`parameter "${key}" must be a number (got "${value}")`];
    }
    if (decl.MinValue !== undefined && n < decl.MinValue) problems.push(`parameter "${key}" = ${n} is below MinValue ${decl.MinValue}`);
    if (decl.MaxValue !== undefined && n > decl.MaxValue) problems.push(`parameter "${key}" = ${n} is above MaxValue ${decl.MaxValue}`);
  } else {
    if (decl.MinLength !== undefined && value.length < decl.MinLength) problems.push(`parameter "${key}" is shorter than MinLength ${decl.MinLength}`);
    if (decl.MaxLength !== undefined && value.length > decl.MaxLength) problems.push(`parameter "${key}" is longer than MaxLength ${decl.MaxLength}`);
    // CloudFormation matches AllowedPattern against the whole value.
    if (decl.AllowedPattern !== undefined && !new RegExp(`^(?:${decl.AllowedPattern})$`).test(value)) {
      problems.push(`parameter "${key}" = "${value}" does not match AllowedPattern ${decl.AllowedPattern}`);
    }
  }
  if (decl.AllowedValues !== undefined && !decl.AllowedValues.map(String).includes(value)) {
    problems.push(`parameter "${key}" = "${value}" is not one of ${decl.AllowedValues.join(', ')}`);
  }
  return problems;
}
