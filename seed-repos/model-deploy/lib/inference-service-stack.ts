import {
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  StackProps,
  Token,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnRoute, CfnStage, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, CfnAlarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Alias, Architecture, CfnAlias, CfnFunction, DockerImageCode, DockerImageFunction, IFunction, Version } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, LogGroup, MetricFilter, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LiveAliasDeployment } from './live-alias-deployment';
import { ServiceDashboard } from './service-dashboard';
import { DEPLOYMENT_PREFERENCES, Limits, LOG_RETENTION_DAYS } from './stage-config';
import {
  INTEGRATION_TIMEOUT_SECONDS,
  LIVE_ALIAS,
  Outputs,
  Params,
  PREDICT_PATH,
  PROJECT_ID_PATTERN,
  RecordsMetric,
  ResourceNames,
  ServiceLimits,
  STAGES,
} from './template-contract';

/**
 * The image is built for x86_64: the project's CodeBuild runs on the x86_64 standard image,
 * so `docker build` produces a native image without QEMU emulation or buildx, and the
 * xgboost-cpu / numpy wheels exist for it. The buildspec passes `--platform linux/amd64`.
 */
export const FUNCTION_ARCHITECTURE = Architecture.X86_64;

/** Props of {@link InferenceServiceStack}. */
export interface InferenceServiceStackProps extends StackProps {}

/**
 * The serverless inference service of one stage: an HTTP API (`POST /predict`, IAM auth by
 * default, throttled, access-logged) in front of the `live` alias of a Lambda function running
 * the model image from the project's ECR repository; CodeDeploy shifts the alias to each newly
 * published version (all at once, canary or linear, per stage) and rolls back on alarm. Alarms
 * notify the project's topic when one is given, and a dashboard shows the stage.
 *
 * Everything that differs between staging and prod is a template parameter, so one
 * synthesized template serves both deploy stacks. The execution role comes in by ARN: the
 * SageMaker project creates it under its permissions boundary, so this template creates no
 * IAM role and the deploy role needs no IAM write access.
 */
export class InferenceServiceStack extends Stack {
  /** The inference function. */
  public readonly function: IFunction;
  /** The version published by this deployment. */
  public readonly version: Version;
  /** The alias the API invokes. */
  public readonly alias: Alias;
  /** Shifts the alias to new versions. */
  public readonly deployment: LiveAliasDeployment;
  /** The stage's dashboard. */
  public readonly dashboard: ServiceDashboard;
  /** The HTTP API. */
  public readonly api: HttpApi;
  /** The `$default` stage of the API (auto-deployed). */
  public readonly stage: HttpStage;
  /**
   * Alarms by short name: `api-5xx`, `version-errors`, `version-duration-p99` (these also roll a
   * deployment back, see {@link ROLLBACK_ALARMS}), `api-latency-p99`, `lambda-errors`, `lambda-throttles`.
   */
  public readonly alarms: Readonly<Record<string, Alarm>>;

  constructor(scope: Construct, id: string, props: InferenceServiceStackProps = {}) {
    super(scope, id, props);

    // ---- parameters -------------------------------------------------------------------
    const projectId = new CfnParameter(this, Params.projectId, {
      type: 'String',
      description: 'SageMaker project id (p- followed by 12 lowercase alphanumerics); prefixes every resource name.',
      allowedPattern: PROJECT_ID_PATTERN,
      constraintDescription: 'must be a SageMaker project id such as p-abcdef123456',
    }).valueAsString;
    const stage = new CfnParameter(this, Params.stage, {
      type: 'String',
      description: 'Deployment stage.',
      allowedValues: [...STAGES],
    }).valueAsString;
    const imageRepositoryName = new CfnParameter(this, Params.imageRepositoryName, {
      type: 'String',
      description: "Name of the project's ECR repository holding the inference image.",
      allowedPattern: '^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$',
      minLength: 2,
      maxLength: 256,
    }).valueAsString;
    const imageTag = new CfnParameter(this, Params.imageTag, {
      type: 'String',
      description: 'Image tag to deploy (v<model version>-<commit>), pushed by the build.',
      allowedPattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
    }).valueAsString;
    const roleArnParam = new CfnParameter(this, Params.lambdaExecutionRoleArn, {
      type: 'String',
      description: 'ARN of the Lambda execution role created by the SageMaker project (CloudWatch Logs only).',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    });
    const modelPackageArn = new CfnParameter(this, Params.modelPackageArn, {
      type: 'String',
      description: 'ARN of the approved model package baked into the image (for traceability).',
      allowedPattern: '^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\\d{12}:model-package/.+$',
    }).valueAsString;
    const modelPackageVersion = new CfnParameter(this, Params.modelPackageVersion, {
      type: 'Number',
      description: 'Version of the approved model package baked into the image.',
      minValue: 1,
    }).valueAsString;
    const memorySize = intParameter(this, Params.memorySize, 'Lambda memory in MB.', Limits.memorySize);
    const timeoutSeconds = intParameter(
      this,
      Params.timeoutSeconds,
      `Lambda timeout in seconds; capped below the ${INTEGRATION_TIMEOUT_SECONDS} s API integration timeout.`,
      Limits.timeoutSeconds,
    );
    const reservedConcurrencyParam = new CfnParameter(this, Params.reservedConcurrency, {
      type: 'Number',
      description: 'Reserved concurrency of the function; 0 = no reservation (use the unreserved account pool).',
      minValue: Limits.reservedConcurrency.min,
      maxValue: Limits.reservedConcurrency.max,
    });
    const rateLimit = intParameter(this, Params.throttlingRateLimit, 'API steady-state requests per second.', Limits.throttlingRateLimit);
    const burstLimit = intParameter(this, Params.throttlingBurstLimit, 'API burst size in requests.', Limits.throttlingBurstLimit);
    const logRetentionDays = new CfnParameter(this, Params.logRetentionDays, {
      type: 'Number',
      description: 'Retention of the function and access log groups, in days.',
      allowedValues: LOG_RETENTION_DAYS.map(String),
    }).valueAsNumber;
    const allowUnauthenticatedParam = new CfnParameter(this, Params.allowUnauthenticated, {
      type: 'String',
      description: 'Opt-in: "true" serves POST /predict without IAM (SigV4) authorization. Default "false".',
      allowedValues: ['false', 'true'],
      default: 'false',
    });
    const serverErrorThreshold = intParameter(this, Params.serverErrorAlarmThreshold, 'API 5xx count per 5 minutes that raises the alarm.', Limits.serverErrorCount);
    const latencyThreshold = intParameter(this, Params.latencyP99AlarmThresholdMs, 'API p99 latency (ms) that raises the alarm.', Limits.latencyP99Ms);
    const lambdaErrorThreshold = intParameter(this, Params.lambdaErrorAlarmThreshold, 'Lambda error count per 5 minutes that raises the alarm.', Limits.lambdaErrorCount);
    const throttleThreshold = intParameter(this, Params.throttleAlarmThreshold, 'Lambda throttle count per 5 minutes that raises the alarm.', Limits.throttleCount);

    const notificationTopicArn = new CfnParameter(this, Params.notificationTopicArn, {
      type: 'String',
      description: "ARN of the project's SNS topic every alarm notifies (ALARM and OK); empty = no alarm actions.",
      allowedPattern: '^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256})?$',
      default: '',
    }).valueAsString;
    const codeDeployRoleArn = new CfnParameter(this, Params.codeDeployRoleArn, {
      type: 'String',
      description: 'ARN of the role CodeDeploy shifts the live alias with, created by the SageMaker project.',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$',
    }).valueAsString;
    const deploymentConfigName = new CfnParameter(this, Params.deploymentConfigName, {
      type: 'String',
      description: 'CodeDeploy predefined Lambda deployment configuration: how traffic moves to a new version.',
      allowedValues: Object.values(DEPLOYMENT_PREFERENCES),
    }).valueAsString;
    const snapStartParam = new CfnParameter(this, Params.snapStart, {
      type: 'String',
      description: '"true" turns on Lambda SnapStart for published versions (excludes ProvisionedConcurrency).',
      allowedValues: ['false', 'true'],
      default: 'false',
    });
    const provisionedConcurrencyParam = new CfnParameter(this, Params.provisionedConcurrency, {
      type: 'Number',
      description: 'Provisioned concurrency of the live alias; 0 = none (excludes SnapStart).',
      minValue: Limits.provisionedConcurrency.min,
      maxValue: Limits.provisionedConcurrency.max,
      default: 0,
    });

    const unauthenticated = new CfnCondition(this, 'UnauthenticatedAccessAllowed', {
      expression: Fn.conditionEquals(allowUnauthenticatedParam.valueAsString, 'true'),
    });
    const hasReservedConcurrency = new CfnCondition(this, 'HasReservedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(reservedConcurrencyParam.valueAsString, '0')),
    });
    const hasNotificationTopic = new CfnCondition(this, 'HasNotificationTopic', {
      expression: Fn.conditionNot(Fn.conditionEquals(notificationTopicArn, '')),
    });
    const snapStartEnabled = new CfnCondition(this, 'SnapStartEnabled', {
      expression: Fn.conditionEquals(snapStartParam.valueAsString, 'true'),
    });
    const hasProvisionedConcurrency = new CfnCondition(this, 'HasProvisionedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(provisionedConcurrencyParam.valueAsString, '0')),
    });
    // The stage files are checked for this (stage-config.ts); the rule also stops a hand-made deployment.
    new CfnRule(this, 'SnapStartExcludesProvisionedConcurrency', {
      assertions: [{
        assert: Fn.conditionNot(Fn.conditionAnd(
          Fn.conditionEquals(snapStartParam.valueAsString, 'true'),
          Fn.conditionNot(Fn.conditionEquals(provisionedConcurrencyParam.valueAsString, '0')),
        )),
        assertDescription: 'SnapStart and ProvisionedConcurrency exclude each other: Lambda does not support provisioned concurrency on SnapStart versions.',
      }],
    });

    // ---- function ---------------------------------------------------------------------
    const functionName = ResourceNames.functionName(projectId, stage);
    const functionLogGroup = new LogGroup(this, 'FunctionLogGroup', {
      logGroupName: ResourceNames.functionLogGroup(projectId, stage),
      retention: logRetentionDays as RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Immutable: CDK must not attach policies (ECR pull, logs) to a role this stack does not own.
    const role = iam.Role.fromRoleArn(this, 'ExecutionRole', roleArnParam.valueAsString, { mutable: false });

    const fn = new DockerImageFunction(this, 'Function', {
      functionName,
      description: 'Serves the approved SageMaker model package (see MODEL_PACKAGE_ARN).',
      code: DockerImageCode.fromEcr(Repository.fromRepositoryName(this, 'ImageRepository', imageRepositoryName), {
        tagOrDigest: imageTag,
      }),
      architecture: FUNCTION_ARCHITECTURE,
      memorySize,
      timeout: Duration.seconds(timeoutSeconds),
      role,
      logGroup: functionLogGroup,
      environment: {
        STAGE: stage,
        MODEL_PACKAGE_ARN: modelPackageArn,
        MODEL_PACKAGE_VERSION: modelPackageVersion,
        MAX_RECORDS: String(ServiceLimits.maxRecords),
        MAX_BODY_BYTES: String(ServiceLimits.maxBodyBytes),
      },
    });
    // 0 means "no reservation": Lambda reads ReservedConcurrentExecutions=0 as "never run".
    (fn.node.defaultChild as CfnFunction).addPropertyOverride(
      'ReservedConcurrentExecutions',
      Fn.conditionIf(hasReservedConcurrency.logicalId, reservedConcurrencyParam.valueAsNumber, Fn.ref('AWS::NoValue')),
    );
    // SnapStart for container images (Python 3.12+ AWS base images, since July 2026): CDK 2.276 accepts it
    // for Runtime.FROM_IMAGE, the provider schema's SnapStart.ApplyOn takes PublishedVersions | None.
    (fn.node.defaultChild as CfnFunction).addPropertyOverride('SnapStart', {
      ApplyOn: Fn.conditionIf(snapStartEnabled.logicalId, 'PublishedVersions', 'None'),
    });

    // ---- published version, live alias, traffic shifting ------------------------------------
    const deployment = new LiveAliasDeployment(this, 'Live', {
      function: fn,
      // Everything a published version freezes that can differ between deployments of this template.
      versionDescription: Fn.join('', [
        'image ', imageTag, ', model version ', modelPackageVersion,
        ', ', Token.asString(memorySize), ' MB, timeout ', Token.asString(timeoutSeconds), ' s, SnapStart ', snapStartParam.valueAsString,
      ]),
      aliasName: LIVE_ALIAS,
      applicationName: ResourceNames.codeDeployApplication(projectId, stage),
      deploymentGroupName: ResourceNames.deploymentGroup(projectId, stage),
      deploymentConfigName,
      codeDeployRoleArn,
    });
    (deployment.alias.node.defaultChild as CfnAlias).addPropertyOverride(
      'ProvisionedConcurrencyConfig',
      Fn.conditionIf(
        hasProvisionedConcurrency.logicalId,
        { ProvisionedConcurrentExecutions: provisionedConcurrencyParam.valueAsNumber },
        Fn.ref('AWS::NoValue'),
      ),
    );

    // ---- API ----------------------------------------------------------------------------
    const api = new HttpApi(this, 'HttpApi', {
      apiName: ResourceNames.apiName(projectId, stage),
      description: 'Model inference API of a SageMaker project.',
      createDefaultStage: false,
    });
    const accessLogGroup = new LogGroup(this, 'AccessLogGroup', {
      logGroupName: ResourceNames.accessLogGroup(projectId, stage),
      retention: logRetentionDays as RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const throttle = { rateLimit, burstLimit };
    const apiStage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const integration = new HttpLambdaIntegration('PredictIntegration', deployment.alias, {
      timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS),
    });
    const [predictRoute] = api.addRoutes({
      path: PREDICT_PATH,
      methods: [HttpMethod.POST],
      integration,
      authorizer: new HttpIamAuthorizer(),
    });
    // IAM unless the stage explicitly opted out. Set on the L1 property (not a raw override)
    // so cdk-nag sees the condition and the opt-in needs its acknowledgement.
    (predictRoute.node.defaultChild as CfnRoute).authorizationType = Fn.conditionIf(
      unauthenticated.logicalId,
      'NONE',
      'AWS_IAM',
    ).toString();
    // Per-route throttling for the predict route (the stage default covers any other route).
    const cfnStage = apiStage.node.defaultChild as CfnStage;
    cfnStage.addPropertyOverride(`RouteSettings.POST ${PREDICT_PATH}`, {
      ThrottlingRateLimit: rateLimit,
      ThrottlingBurstLimit: burstLimit,
    });
    cfnStage.node.addDependency(predictRoute);

    // ---- alarms -------------------------------------------------------------------------
    const period = Duration.minutes(5);
    const apiMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: api.apiId, Stage: apiStage.stageName },
        statistic,
        period,
      });
    // The version this deployment published, as invoked through the alias: Lambda publishes alias
    // metrics with the dimensions {FunctionName, Resource: <function>:<alias>, ExecutedVersion}
    // (aws-cdk-lib/aws-lambda/lib/lambda-canned-metrics.generated.d.ts). During a canary these
    // count only the new version's share of the traffic.
    const versionMetric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: {
          FunctionName: fn.functionName,
          Resource: `${fn.functionName}:${LIVE_ALIAS}`,
          ExecutedVersion: deployment.version.version,
        },
        statistic,
        // One minute: a 5-minute canary must see the alarm go off within its bake time.
        period: Duration.minutes(1),
      });
    const alarm = (what: string, description: string, metric: Metric, threshold: number) =>
      new Alarm(this, `${pascal(what)}Alarm`, {
        alarmName: ResourceNames.alarmName(projectId, stage, what),
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = {
      'api-5xx': alarm('api-5xx', 'The inference API returned 5xx responses. Rolls back a running deployment.', apiMetric('5xx', 'Sum'), serverErrorThreshold),
      'version-errors': alarm('version-errors', 'The newest published version failed (errors per minute, at the lambda-errors threshold). Rolls back a running deployment.',
        versionMetric('Errors', 'Sum'), lambdaErrorThreshold),
      'version-duration-p99': alarm('version-duration-p99', 'p99 duration (ms per minute) of the newest published version is at the latency threshold. Rolls back a running deployment.',
        versionMetric('Duration', 'p99'), latencyThreshold),
      'api-latency-p99': alarm('api-latency-p99', 'p99 latency of the inference API is high.', apiMetric('Latency', 'p99'), latencyThreshold),
      'lambda-errors': alarm('lambda-errors', 'The inference function failed.', fn.metricErrors({ period, statistic: 'Sum' }), lambdaErrorThreshold),
      'lambda-throttles': alarm('lambda-throttles', 'The inference function was throttled.', fn.metricThrottles({ period, statistic: 'Sum' }), throttleThreshold),
    };
    for (const name of ROLLBACK_ALARMS) deployment.addRollbackAlarm(this.alarms[name]);
    // Every alarm notifies the project's topic on ALARM and on OK, when a topic is given. CloudWatch
    // publishes as its service principal: the topic's policy (the project's) allows it, the deploy role needs nothing.
    for (const a of Object.values(this.alarms)) {
      const cfnAlarm = a.node.defaultChild as CfnAlarm;
      const actions = Fn.conditionIf(hasNotificationTopic.logicalId, [notificationTopicArn], Fn.ref('AWS::NoValue'));
      cfnAlarm.addPropertyOverride('AlarmActions', actions);
      cfnAlarm.addPropertyOverride('OKActions', actions);
    }

    // ---- records per request (from the function's JSON log) and the dashboard -----------------
    const recordsNamespace = RecordsMetric.namespace(projectId, stage);
    new MetricFilter(this, 'RecordsMetricFilter', {
      logGroup: functionLogGroup,
      filterName: ResourceNames.metricFilterName(projectId, stage),
      // service/app/service.py logs one JSON line per request, with "records" on every successful prediction.
      filterPattern: FilterPattern.numberValue('$.records', '>', 0),
      metricNamespace: recordsNamespace,
      metricName: RecordsMetric.metricName,
      metricValue: '$.records',
    });
    const dashboard = new ServiceDashboard(this, 'Dashboard', {
      dashboardName: ResourceNames.dashboardName(projectId, stage),
      stage,
      apiId: api.apiId,
      apiStageName: apiStage.stageName,
      functionName: fn.functionName,
      recordsMetric: { namespace: recordsNamespace, metricName: RecordsMetric.metricName },
      rollbackAlarms: ROLLBACK_ALARMS.map((name) => this.alarms[name]),
      otherAlarms: Object.entries(this.alarms).filter(([name]) => !(ROLLBACK_ALARMS as readonly string[]).includes(name)).map(([, a]) => a),
    });

    // ---- outputs ------------------------------------------------------------------------
    new CfnOutput(this, Outputs.apiUrl, {
      description: `Base URL of the API, without a trailing slash; POST to <ApiUrl>${PREDICT_PATH}.`,
      value: api.apiEndpoint,
    });
    new CfnOutput(this, Outputs.predictUrl, {
      description: 'Full URL of the predict route.',
      value: `${api.apiEndpoint}${PREDICT_PATH}`,
    });
    new CfnOutput(this, Outputs.functionName, {
      description: 'Name of the inference function.',
      value: fn.functionName,
    });
    new CfnOutput(this, Outputs.dashboardName, {
      description: "Name of the stage's CloudWatch dashboard.",
      value: dashboard.dashboard.dashboardName,
    });
    new CfnOutput(this, Outputs.deploymentGroupName, {
      description: 'CodeDeploy deployment group (application of the same name) that shifts the live alias.',
      value: deployment.deploymentGroup.deploymentGroupName,
    });

    this.function = fn;
    this.version = deployment.version;
    this.alias = deployment.alias;
    this.deployment = deployment;
    this.dashboard = dashboard;
    this.api = api;
    this.stage = apiStage;
  }
}

/** Alarms CodeDeploy watches: any of them in ALARM stops and rolls back a running deployment. */
export const ROLLBACK_ALARMS = ['api-5xx', 'version-errors', 'version-duration-p99'] as const;

/** Access log record (JSON), one per request. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integration.latency',
  integrationError: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
};

function intParameter(scope: Construct, name: string, description: string, range: { min: number; max: number }): number {
  const p = new CfnParameter(scope, name, {
    type: 'Number',
    description,
    minValue: range.min,
    maxValue: range.max,
    constraintDescription: `must be an integer from ${range.min} to ${range.max}`,
  });
  return p.valueAsNumber;
}

/** `api-latency-p99` → `ApiLatencyP99`, for stable construct ids. */
function pascal(kebab: string): string {
  return kebab
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
