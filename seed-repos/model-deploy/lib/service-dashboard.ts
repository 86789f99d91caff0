import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  IMetric,
  MathExpression,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { LIVE_ALIAS } from './template-contract';

/** What the dashboard shows: the stage's API, function, records metric and alarms. */
export interface ServiceDashboardProps {
  readonly dashboardName: string;
  /** Stage name, for the title (may be a token). */
  readonly stage: string;
  readonly apiId: string;
  readonly apiStageName: string;
  readonly functionName: string;
  /** The metric fed by the function log's `records` field. */
  readonly recordsMetric: { readonly namespace: string; readonly metricName: string };
  /** Alarms CodeDeploy watches during a deployment (their state is the deployment's state). */
  readonly rollbackAlarms: readonly Alarm[];
  /** Alarms that only notify. */
  readonly otherAlarms: readonly Alarm[];
}

const MINUTE = Duration.minutes(1);

/**
 * One CloudWatch dashboard per stage: traffic, latency, errors, concurrency, records per request,
 * the traffic split between versions while CodeDeploy shifts the alias, and the rollback alarms.
 * Every graph is at 1-minute resolution, the granularity CodeDeploy's canary steps run at.
 */
export class ServiceDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceDashboardProps) {
    super(scope, id);
    const api = (metricName: string, statistic: string, label: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: props.apiId, Stage: props.apiStageName },
        statistic,
        period: MINUTE,
        label,
      });
    const fn = (metricName: string, statistic: string, label: string) =>
      new Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap: { FunctionName: props.functionName }, statistic, period: MINUTE, label });
    const records = (statistic: string, label: string) =>
      new Metric({ namespace: props.recordsMetric.namespace, metricName: props.recordsMetric.metricName, statistic, period: MINUTE, label });
    // Invocations of the alias per executed version: two lines while a canary runs, one otherwise.
    // Lambda publishes alias metrics with the dimensions {FunctionName, Resource, ExecutedVersion}
    // (aws-cdk-lib/aws-lambda/lib/lambda-canned-metrics.generated.d.ts).
    const byVersion = new MathExpression({
      expression:
        `SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} MetricName="Invocations" ` +
        `FunctionName="${props.functionName}" Resource="${props.functionName}:${LIVE_ALIAS}"', 'Sum', 60)`,
      label: 'version',
      period: MINUTE,
    });
    const graph = (title: string, left: IMetric[], width = 8) => new GraphWidget({ title, left, width, height: 6 });

    this.dashboard = new Dashboard(this, 'Resource', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new TextWidget({
            markdown:
              `# Inference service (${props.stage})\n` +
              `The API invokes the alias \`${LIVE_ALIAS}\`; each deployment publishes a version and CodeDeploy shifts the alias to it. ` +
              'A rollback alarm in ALARM during a deployment rolls it back. See the repository README, section "Operate".',
            width: 8,
            height: 6,
          }),
          new AlarmStatusWidget({ title: 'Deployment: rollback alarms', alarms: [...props.rollbackAlarms], width: 8, height: 6 }),
          new AlarmStatusWidget({ title: 'Other alarms', alarms: [...props.otherAlarms], width: 8, height: 6 }),
        ],
        [
          graph('Requests per minute', [api('Count', 'Sum', 'requests')]),
          graph('API latency (ms)', [api('Latency', 'p50', 'p50'), api('Latency', 'p99', 'p99')]),
          graph('API 4xx / 5xx per minute', [api('4xx', 'Sum', '4xx'), api('5xx', 'Sum', '5xx')]),
        ],
        [
          graph('Function errors / throttles per minute', [fn('Errors', 'Sum', 'errors'), fn('Throttles', 'Sum', 'throttles')]),
          graph('Concurrency', [fn('ConcurrentExecutions', 'Maximum', 'concurrent executions (max)')]),
          graph(`Invocations of ${LIVE_ALIAS} by version`, [byVersion]),
        ],
        [
          graph('Records per request', [records('Average', 'average'), records('p99', 'p99'), records('Maximum', 'max')], 12),
          graph('Function duration (ms)', [fn('Duration', 'p50', 'p50'), fn('Duration', 'p99', 'p99')], 12),
        ],
      ],
    });
  }
}
