import * as fs from 'fs';
import * as path from 'path';
import { LambdaDeploymentConfig } from 'aws-cdk-lib/aws-codedeploy';
import { MAX_LAMBDA_TIMEOUT_SECONDS, Stage } from './template-contract';

/**
 * CodeDeploy's predefined Lambda deployment configurations, by the CDK constant name a stage file
 * uses (`CANARY_10PERCENT_5MINUTES` → `CodeDeployDefault.LambdaCanary10Percent5Minutes`). Read from
 * aws-cdk-lib (aws-codedeploy/lib/lambda/deployment-config), so the list is CodeDeploy's own.
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
 */
export const DEPLOYMENT_PREFERENCES: Readonly<Record<string, string>> = Object.fromEntries(
  (
    [
      'ALL_AT_ONCE',
      'CANARY_10PERCENT_5MINUTES',
      'CANARY_10PERCENT_10MINUTES',
      'CANARY_10PERCENT_15MINUTES',
      'CANARY_10PERCENT_30MINUTES',
      'LINEAR_10PERCENT_EVERY_1MINUTE',
      'LINEAR_10PERCENT_EVERY_2MINUTES',
      'LINEAR_10PERCENT_EVERY_3MINUTES',
      'LINEAR_10PERCENT_EVERY_10MINUTES',
    ] as const
  ).map((key) => [key, LambdaDeploymentConfig[key].deploymentConfigName]),
);

/**
 * Per-stage settings, read from `config/<stage>.json`. The same template is deployed to both
 * stages; these values become the stage's template parameters (see `scripts/export-configs.ts`).
 */
export interface StageConfig {
  /** Lambda memory in MB (also scales its CPU share). */
  readonly memorySize: number;
  /** Lambda timeout in seconds; at most 28 so it stays below the API's 29 s integration timeout. */
  readonly timeoutSeconds: number;
  /** Reserved concurrency for the function; 0 means "no reservation" (the function uses the account's unreserved pool). */
  readonly reservedConcurrency: number;
  /** API throttling applied to the stage's routes. */
  readonly throttling: {
    /** Steady-state requests per second. */
    readonly rateLimit: number;
    /** Burst bucket size in requests. */
    readonly burstLimit: number;
  };
  /** Retention of the function log group and the API access log group, in days (a CloudWatch Logs retention value). */
  readonly logRetentionDays: number;
  /**
   * Serve the API without IAM (SigV4) authorization. Opt-in only: anyone who knows the URL can
   * then call the model (still throttled).
   * @default false
   */
  readonly allowUnauthenticated: boolean;
  /** Alarm thresholds. */
  readonly alarms: {
    /** API 5xx responses per 5 minutes that raise the alarm. */
    readonly serverErrorCount: number;
    /** API p99 latency in milliseconds (over 5 minutes) that raises the alarm. */
    readonly latencyP99Ms: number;
    /** Lambda errors per 5 minutes that raise the alarm. */
    readonly lambdaErrorCount: number;
    /** Lambda throttles per 5 minutes that raise the alarm. */
    readonly throttleCount: number;
  };
  /**
   * How CodeDeploy shifts the `live` alias to a newly published version: a key of
   * {@link DEPLOYMENT_PREFERENCES}, e.g. `ALL_AT_ONCE` or `CANARY_10PERCENT_5MINUTES`.
   */
  readonly deploymentPreference: string;
  /**
   * Lambda SnapStart on published versions (container images: Python 3.12+ AWS base images).
   * Excludes {@link provisionedConcurrency}.
   * @default false
   */
  readonly snapStart: boolean;
  /**
   * Provisioned concurrency of the `live` alias; 0 = none. Excludes {@link snapStart}.
   * @default 0
   */
  readonly provisionedConcurrency: number;
}

/** An integer range; the same bounds become the template parameters' MinValue/MaxValue. */
export interface IntRange {
  readonly min: number;
  readonly max: number;
}

/** CloudWatch Logs accepts only these retention values. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Bounds shared by config validation and the template parameters, so both reject the same values. */
export const Limits = {
  memorySize: { min: 512, max: 10240 },
  timeoutSeconds: { min: 1, max: MAX_LAMBDA_TIMEOUT_SECONDS },
  reservedConcurrency: { min: 0, max: 1000 },
  throttlingRateLimit: { min: 1, max: 10000 },
  throttlingBurstLimit: { min: 1, max: 5000 },
  serverErrorCount: { min: 1, max: 1000000 },
  latencyP99Ms: { min: 1, max: 30000 },
  lambdaErrorCount: { min: 1, max: 1000000 },
  throttleCount: { min: 1, max: 1000000 },
  provisionedConcurrency: { min: 0, max: 1000 },
} as const satisfies Record<string, IntRange>;

/** Raised for any invalid stage configuration; the message names the file and every bad key. */
export class StageConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid stage configuration ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StageConfigError';
  }
}

type Json = unknown;

class Checker {
  readonly problems: string[] = [];

  constructor(private readonly root: Record<string, Json>) {}

  object(key: string, allowed: readonly string[]): Record<string, Json> | undefined {
    const value = this.lookup(key);
    if (value === undefined) {
      this.problems.push(`key "${key}" is missing (expected an object with ${allowed.join(', ')})`);
      return undefined;
    }
    if (!isPlainObject(value)) {
      this.problems.push(`key "${key}" must be an object (got ${describe(value)})`);
      return undefined;
    }
    this.unknownKeys(value, allowed, `${key}.`);
    return value;
  }

  int(key: string, range: IntRange): number {
    const value = this.lookup(key);
    if (value === undefined) {
      this.problems.push(`key "${key}" is missing (expected an integer from ${range.min} to ${range.max})`);
      return NaN;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
      this.problems.push(`key "${key}" must be an integer from ${range.min} to ${range.max} (got ${describe(value)})`);
      return NaN;
    }
    return value;
  }

  oneOf(key: string, allowed: readonly number[]): number {
    const value = this.lookup(key);
    if (typeof value !== 'number' || !allowed.includes(value)) {
      const what = value === undefined ? 'is missing' : `must be one of the CloudWatch Logs retention values (got ${describe(value)})`;
      this.problems.push(`key "${key}" ${what}; allowed: ${allowed.join(', ')}`);
      return NaN;
    }
    return value;
  }

  optionalInt(key: string, range: IntRange, fallback: number): number {
    return this.lookup(key) === undefined ? fallback : this.int(key, range);
  }

  choice(key: string, allowed: readonly string[]): string {
    const value = this.lookup(key);
    if (typeof value !== 'string' || !allowed.includes(value)) {
      const what = value === undefined ? 'is missing' : `must be one of CodeDeploy's predefined Lambda configurations (got ${describe(value)})`;
      this.problems.push(`key "${key}" ${what}; allowed: ${allowed.join(', ')}`);
      return '';
    }
    return value;
  }

  optionalBoolean(key: string, fallback: boolean): boolean {
    const value = this.lookup(key);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') {
      this.problems.push(`key "${key}" must be true or false (got ${describe(value)})`);
      return fallback;
    }
    return value;
  }

  unknownKeys(obj: Record<string, Json>, allowed: readonly string[], prefix = ''): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) {
        this.problems.push(`key "${prefix}${k}" is not a known setting (known: ${allowed.join(', ')})`);
      }
    }
  }

  private lookup(dotted: string): Json {
    let cur: Json = this.root;
    for (const part of dotted.split('.')) {
      if (!isPlainObject(cur)) return undefined;
      cur = cur[part];
    }
    return cur;
  }
}

const TOP_LEVEL_KEYS = [
  'memorySize',
  'timeoutSeconds',
  'reservedConcurrency',
  'throttling',
  'logRetentionDays',
  'allowUnauthenticated',
  'alarms',
  'deploymentPreference',
  'snapStart',
  'provisionedConcurrency',
] as const;
const THROTTLING_KEYS = ['rateLimit', 'burstLimit'] as const;
const ALARM_KEYS = ['serverErrorCount', 'latencyP99Ms', 'lambdaErrorCount', 'throttleCount'] as const;

/**
 * Validates an already-parsed stage configuration.
 * @param file the file name used in error messages
 * @throws StageConfigError naming the file and every invalid key
 */
export function parseStageConfig(raw: unknown, file: string): StageConfig {
  if (!isPlainObject(raw)) {
    throw new StageConfigError(file, [`the file must contain a JSON object (got ${describe(raw)})`]);
  }
  const c = new Checker(raw);
  c.unknownKeys(raw, TOP_LEVEL_KEYS);
  c.object('throttling', THROTTLING_KEYS);
  c.object('alarms', ALARM_KEYS);
  const config: StageConfig = {
    memorySize: c.int('memorySize', Limits.memorySize),
    timeoutSeconds: c.int('timeoutSeconds', Limits.timeoutSeconds),
    reservedConcurrency: c.int('reservedConcurrency', Limits.reservedConcurrency),
    throttling: {
      rateLimit: c.int('throttling.rateLimit', Limits.throttlingRateLimit),
      burstLimit: c.int('throttling.burstLimit', Limits.throttlingBurstLimit),
    },
    logRetentionDays: c.oneOf('logRetentionDays', LOG_RETENTION_DAYS),
    allowUnauthenticated: c.optionalBoolean('allowUnauthenticated', false),
    alarms: {
      serverErrorCount: c.int('alarms.serverErrorCount', Limits.serverErrorCount),
      latencyP99Ms: c.int('alarms.latencyP99Ms', Limits.latencyP99Ms),
      lambdaErrorCount: c.int('alarms.lambdaErrorCount', Limits.lambdaErrorCount),
      throttleCount: c.int('alarms.throttleCount', Limits.throttleCount),
    },
    deploymentPreference: c.choice('deploymentPreference', Object.keys(DEPLOYMENT_PREFERENCES)),
    snapStart: c.optionalBoolean('snapStart', false),
    provisionedConcurrency: c.optionalInt('provisionedConcurrency', Limits.provisionedConcurrency, 0),
  };
  // Lambda: "You can't use SnapStart with provisioned concurrency" (docs: lambda/latest/dg/snapstart.html).
  if (config.snapStart && config.provisionedConcurrency > 0) {
    c.problems.push('keys "snapStart" and "provisionedConcurrency" exclude each other (Lambda does not support provisioned concurrency on SnapStart versions): set one of them');
  }
  // Provisioned concurrency is drawn from the function's reserved concurrency when it has one.
  if (config.reservedConcurrency > 0 && config.provisionedConcurrency > config.reservedConcurrency) {
    c.problems.push(`key "provisionedConcurrency" (${config.provisionedConcurrency}) exceeds "reservedConcurrency" (${config.reservedConcurrency})`);
  }
  if (c.problems.length > 0) {
    throw new StageConfigError(file, c.problems);
  }
  return config;
}

/**
 * Reads and validates `<configDir>/<stage>.json`.
 * @param configDir folder holding the stage files
 * @default configDir `config/` at the repository root
 */
export function loadStageConfig(stage: Stage, configDir: string = defaultConfigDir()): StageConfig {
  const file = path.join(configDir, `${stage}.json`);
  const shown = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StageConfigError(shown, [`cannot read the file: ${(err as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StageConfigError(shown, [`the file is not valid JSON: ${(err as Error).message}`]);
  }
  return parseStageConfig(raw, shown);
}

/** `config/` next to `lib/`. */
export function defaultConfigDir(): string {
  return path.resolve(__dirname, '..', 'config');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
