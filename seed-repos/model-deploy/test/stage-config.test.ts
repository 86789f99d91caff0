import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DEPLOYMENT_PREFERENCES, loadStageConfig, parseStageConfig, StageConfigError } from '../lib/stage-config';
import { STAGES } from '../lib/template-contract';

const VALID = {
  memorySize: 1024,
  timeoutSeconds: 10,
  reservedConcurrency: 0,
  throttling: { rateLimit: 10, burstLimit: 20 },
  logRetentionDays: 30,
  allowUnauthenticated: false,
  alarms: { serverErrorCount: 1, latencyP99Ms: 3000, lambdaErrorCount: 1, throttleCount: 1 },
  deploymentPreference: 'CANARY_10PERCENT_5MINUTES',
  snapStart: false,
  provisionedConcurrency: 0,
};

/** Deep copy of VALID with one change applied. */
function variant(change: (c: any) => void): unknown {
  const c = JSON.parse(JSON.stringify(VALID));
  change(c);
  return c;
}

function problemsOf(raw: unknown): string {
  try {
    parseStageConfig(raw, 'config/test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(StageConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
}

test.each(STAGES)('the shipped config/%s.json is valid', (stage) => {
  expect(() => loadStageConfig(stage)).not.toThrow();
});

test('a valid configuration is returned as parsed', () => {
  expect(parseStageConfig(VALID, 'x.json')).toEqual(VALID);
});

test('allowUnauthenticated defaults to false when absent', () => {
  expect(parseStageConfig(variant((c) => delete c.allowUnauthenticated), 'x.json').allowUnauthenticated).toBe(false);
});

test('snapStart and provisionedConcurrency default to off when absent', () => {
  const parsed = parseStageConfig(variant((c) => (delete c.snapStart, delete c.provisionedConcurrency)), 'x.json');
  expect(parsed).toMatchObject({ snapStart: false, provisionedConcurrency: 0 });
});

test.each(Object.entries(DEPLOYMENT_PREFERENCES))('deploymentPreference %s is accepted (CodeDeploy config %s)', (preference, configName) => {
  expect(parseStageConfig(variant((c) => (c.deploymentPreference = preference)), 'x.json').deploymentPreference).toBe(preference);
  expect(configName).toMatch(/^CodeDeployDefault\.Lambda(AllAtOnce|Canary10Percent\d+Minutes|Linear10PercentEvery\d+Minutes?)$/);
});

test("the deployment preferences are all of CodeDeploy's predefined Lambda configurations", () => {
  expect(Object.keys(DEPLOYMENT_PREFERENCES)).toHaveLength(9);
  expect(DEPLOYMENT_PREFERENCES.ALL_AT_ONCE).toBe('CodeDeployDefault.LambdaAllAtOnce');
  expect(DEPLOYMENT_PREFERENCES.CANARY_10PERCENT_5MINUTES).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
});

test('an unknown deploymentPreference is rejected with the allowed names', () => {
  const message = problemsOf(variant((c) => (c.deploymentPreference = 'CANARY_50PERCENT')));
  expect(message).toContain('"deploymentPreference"');
  expect(message).toContain('CANARY_10PERCENT_5MINUTES');
  expect(message).toContain('ALL_AT_ONCE');
});

test('snapStart together with provisionedConcurrency is rejected: they exclude each other', () => {
  const message = problemsOf(variant((c) => ((c.snapStart = true), (c.provisionedConcurrency = 2))));
  expect(message).toMatch(/"snapStart" and "provisionedConcurrency" exclude each other/);
});

test('snapStart alone and provisionedConcurrency alone are each accepted', () => {
  expect(parseStageConfig(variant((c) => (c.snapStart = true)), 'x.json').snapStart).toBe(true);
  expect(parseStageConfig(variant((c) => (c.provisionedConcurrency = 2)), 'x.json').provisionedConcurrency).toBe(2);
});

test('provisioned concurrency above the reserved concurrency is rejected', () => {
  const message = problemsOf(variant((c) => ((c.reservedConcurrency = 2), (c.provisionedConcurrency = 3))));
  expect(message).toContain('"provisionedConcurrency" (3) exceeds "reservedConcurrency" (2)');
});

test.each([
  ['an unknown top-level key', (c: any) => (c.memory = 512), 'memory'],
  ['an unknown nested key', (c: any) => (c.throttling.rate = 5), 'throttling.rate'],
  ['a missing key', (c: any) => delete c.memorySize, 'memorySize'],
  ['a missing nested key', (c: any) => delete c.alarms.latencyP99Ms, 'alarms.latencyP99Ms'],
  ['a string where a number belongs', (c: any) => (c.memorySize = '1024'), 'memorySize'],
  ['a fraction where an integer belongs', (c: any) => (c.throttling.burstLimit = 2.5), 'throttling.burstLimit'],
  ['a timeout at the 29 s integration timeout', (c: any) => (c.timeoutSeconds = 29), 'timeoutSeconds'],
  ['memory below the minimum', (c: any) => (c.memorySize = 128), 'memorySize'],
  ['negative reserved concurrency', (c: any) => (c.reservedConcurrency = -1), 'reservedConcurrency'],
  ['a retention CloudWatch Logs does not accept', (c: any) => (c.logRetentionDays = 31), 'logRetentionDays'],
  ['a non-boolean allowUnauthenticated', (c: any) => (c.allowUnauthenticated = 'yes'), 'allowUnauthenticated'],
  ['a non-object throttling', (c: any) => (c.throttling = 10), 'throttling'],
  ['a zero alarm threshold', (c: any) => (c.alarms.throttleCount = 0), 'alarms.throttleCount'],
  ['a missing deploymentPreference', (c: any) => delete c.deploymentPreference, 'deploymentPreference'],
  ['a CodeDeploy config name where the preference belongs', (c: any) => (c.deploymentPreference = 'CodeDeployDefault.LambdaAllAtOnce'), 'deploymentPreference'],
  ['a non-boolean snapStart', (c: any) => (c.snapStart = 'true'), 'snapStart'],
  ['negative provisioned concurrency', (c: any) => (c.provisionedConcurrency = -1), 'provisionedConcurrency'],
])('fails on %s, naming the file and the key', (_what, change, key) => {
  const message = problemsOf(variant(change));
  expect(message).toContain('config/test.json');
  expect(message).toContain(`"${key}"`);
});

test('reports every bad key at once', () => {
  const message = problemsOf(variant((c) => ((c.memorySize = 1), (c.timeoutSeconds = 100))));
  expect(message).toContain('"memorySize"');
  expect(message).toContain('"timeoutSeconds"');
});

test('fails when the file is not a JSON object', () => {
  expect(problemsOf([1, 2])).toContain('JSON object');
});

describe('loadStageConfig', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-config-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fails naming the file when it is not valid JSON', () => {
    fs.writeFileSync(path.join(dir, 'staging.json'), '{ "memorySize": ');
    expect(() => loadStageConfig('staging', dir)).toThrow(/staging\.json[\s\S]*not valid JSON/);
  });

  test('fails naming the file when it does not exist', () => {
    expect(() => loadStageConfig('prod', dir)).toThrow(/prod\.json[\s\S]*cannot read/);
  });
});
