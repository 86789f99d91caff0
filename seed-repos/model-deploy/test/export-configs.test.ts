import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../lib/cli';
import { defaultConfigDir, StageConfigError } from '../lib/stage-config';
import { checkParametersAgainstTemplate } from '../lib/template-configuration';
import { ExportFiles, TAG_PROJECT_ID, TAG_PROJECT_NAME } from '../lib/template-contract';
import { exportConfigs, ExportLocations } from '../scripts/export-configs';

const ENV = {
  SAGEMAKER_PROJECT_NAME: 'Abalone-Serving',
  SAGEMAKER_PROJECT_ID: 'p-abcdef123456',
  ECR_REPOSITORY_NAME: 'sagemaker-p-abcdef123456-inference',
  IMAGE_TAG: 'v3-0123abcd',
  LAMBDA_EXECUTION_ROLE_ARN: 'arn:aws:iam::123456789012:role/sagemaker-p-abcdef123456-inference',
  CODEDEPLOY_ROLE_ARN: 'arn:aws:iam::123456789012:role/sagemaker-p-abcdef123456-inference-codedeploy',
};
const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:sagemaker-p-abcdef123456-notifications';
const MODEL = {
  packageGroupName: 'Abalone-Serving-p-abcdef123456',
  packageArn: 'arn:aws:sagemaker:eu-west-1:123456789012:model-package/abalone-serving-p-abcdef123456/3',
  version: 3,
  modelDataUrl: 's3://sagemaker-project-p-abcdef123456/model/model.tar.gz',
  creationTime: '2024-05-01T10:00:00.000Z',
};

let dir: string;
let locations: ExportLocations;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-configs-'));
  locations = {
    outDir: path.join(dir, 'out'),
    configDir: defaultConfigDir(),
    modelFile: path.join(dir, 'model.json'),
    cdkOutDir: path.join(dir, 'cdk.out'),
  };
  fs.writeFileSync(locations.modelFile, JSON.stringify(MODEL));
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

const read = (name: string) => JSON.parse(fs.readFileSync(path.join(locations.outDir, name), 'utf8'));

describe('with the shipped configuration', () => {
  let template: any;
  let configs: Record<string, any>;
  beforeAll(async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'export-configs-once-'));
    const loc: ExportLocations = {
      outDir: tmp,
      configDir: defaultConfigDir(),
      modelFile: path.join(tmp, 'model.json'),
      cdkOutDir: path.join(tmp, 'cdk.out'),
    };
    fs.writeFileSync(loc.modelFile, JSON.stringify(MODEL));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    await exportConfigs([], ENV, loc);
    log.mockRestore();
    const load = (name: string) => JSON.parse(fs.readFileSync(path.join(tmp, name), 'utf8'));
    template = load(ExportFiles.template);
    configs = { staging: load(ExportFiles.stagingConfig), prod: load(ExportFiles.prodConfig) };
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  test('writes the synthesized template', () => {
    expect(template.Resources).toBeDefined();
    expect(template.Parameters).not.toHaveProperty('BootstrapVersion');
  });

  test.each(['staging', 'prod'])('%s config is a template configuration with only string values', (stage) => {
    const config = configs[stage];
    expect(Object.keys(config).sort()).toEqual(['Parameters', 'Tags']);
    for (const value of [...Object.values(config.Parameters), ...Object.values(config.Tags)]) {
      expect(typeof value).toBe('string');
    }
    expect(config.Tags).toEqual({ [TAG_PROJECT_NAME]: ENV.SAGEMAKER_PROJECT_NAME, [TAG_PROJECT_ID]: ENV.SAGEMAKER_PROJECT_ID, stage });
  });

  test.each(['staging', 'prod'])('%s config provides every parameter without default and only template parameters', (stage) => {
    const provided = Object.keys(configs[stage].Parameters);
    const declared = Object.keys(template.Parameters);
    const required = declared.filter((p) => template.Parameters[p].Default === undefined);
    expect(provided.filter((p) => !declared.includes(p))).toEqual([]);
    expect(required.filter((p) => !provided.includes(p))).toEqual([]);
  });

  test.each(['staging', 'prod'])('%s config values are within MinValue/MaxValue, AllowedValues and AllowedPattern', (stage) => {
    const parameters: Record<string, string> = configs[stage].Parameters;
    for (const [key, value] of Object.entries(parameters)) {
      const decl = template.Parameters[key];
      if (decl.MinValue !== undefined) expect(Number(value)).toBeGreaterThanOrEqual(decl.MinValue);
      if (decl.MaxValue !== undefined) expect(Number(value)).toBeLessThanOrEqual(decl.MaxValue);
      if (decl.AllowedValues !== undefined) expect(decl.AllowedValues.map(String)).toContain(value);
      if (decl.AllowedPattern !== undefined) expect(value).toMatch(new RegExp(decl.AllowedPattern));
    }
    expect(checkParametersAgainstTemplate(template, parameters)).toEqual([]);
  });

  test('the stage, the image and the model reach the parameters', () => {
    expect(configs.staging.Parameters).toMatchObject({
      Stage: 'staging',
      ProjectId: ENV.SAGEMAKER_PROJECT_ID,
      ImageTag: ENV.IMAGE_TAG,
      ImageRepositoryName: ENV.ECR_REPOSITORY_NAME,
      LambdaExecutionRoleArn: ENV.LAMBDA_EXECUTION_ROLE_ARN,
      CodeDeployRoleArn: ENV.CODEDEPLOY_ROLE_ARN,
      ModelPackageArn: MODEL.packageArn,
      ModelPackageVersion: '3',
      AllowUnauthenticated: 'false',
    });
    expect(configs.prod.Parameters.Stage).toBe('prod');
  });

  test('staging shifts all at once and prod runs a 10% canary for 5 minutes', () => {
    expect(configs.staging.Parameters.DeploymentConfigName).toBe('CodeDeployDefault.LambdaAllAtOnce');
    expect(configs.prod.Parameters.DeploymentConfigName).toBe('CodeDeployDefault.LambdaCanary10Percent5Minutes');
  });

  test('without NOTIFICATION_TOPIC_ARN (a laptop) the topic parameter is empty, so the alarms have no actions', () => {
    expect(configs.staging.Parameters.NotificationTopicArn).toBe('');
    expect(configs.prod.Parameters.NotificationTopicArn).toBe('');
  });
});

test('NOTIFICATION_TOPIC_ARN reaches both stages as NotificationTopicArn', async () => {
  await exportConfigs([], { ...ENV, NOTIFICATION_TOPIC_ARN: TOPIC_ARN }, locations);
  expect(read(ExportFiles.stagingConfig).Parameters.NotificationTopicArn).toBe(TOPIC_ARN);
  expect(read(ExportFiles.prodConfig).Parameters.NotificationTopicArn).toBe(TOPIC_ARN);
});

test('a NOTIFICATION_TOPIC_ARN that is not an SNS topic ARN fails the build, naming the parameter', async () => {
  await expect(exportConfigs([], { ...ENV, NOTIFICATION_TOPIC_ARN: 'my-topic' }, locations)).rejects.toThrow(
    /parameter "NotificationTopicArn".*AllowedPattern/,
  );
});

test('file names follow the EXPORT_* environment variables', async () => {
  const written = await exportConfigs(
    [],
    { ...ENV, EXPORT_TEMPLATE_NAME: 't.json', EXPORT_TEMPLATE_STAGING_CONFIG: 's.json', EXPORT_TEMPLATE_PROD_CONFIG: 'p.json' },
    locations,
  );
  expect(written.map((f) => path.basename(f))).toEqual(['t.json', 's.json', 'p.json']);
  expect(read('s.json').Parameters.Stage).toBe('staging');
});

test.each(Object.keys(ENV))('fails naming %s when it is missing', async (name) => {
  const env: Record<string, string> = { ...ENV };
  delete env[name];
  await expect(exportConfigs([], env, locations)).rejects.toThrow(new RegExp(`${name} is not set`));
  await expect(exportConfigs([], env, locations)).rejects.toBeInstanceOf(UsageError);
});

test('fails on an unknown argument', async () => {
  await expect(exportConfigs(['--stage', 'x'], ENV, locations)).rejects.toBeInstanceOf(UsageError);
});

test('fails naming the file and key of an invalid stage config, and writes nothing', async () => {
  const configDir = path.join(dir, 'config');
  fs.mkdirSync(configDir);
  fs.copyFileSync(path.join(defaultConfigDir(), 'staging.json'), path.join(configDir, 'staging.json'));
  const prod = JSON.parse(fs.readFileSync(path.join(defaultConfigDir(), 'prod.json'), 'utf8'));
  prod.timeoutSeconds = 60;
  fs.writeFileSync(path.join(configDir, 'prod.json'), JSON.stringify(prod));
  const run = exportConfigs([], ENV, { ...locations, configDir });
  await expect(run).rejects.toBeInstanceOf(StageConfigError);
  await expect(exportConfigs([], ENV, { ...locations, configDir })).rejects.toThrow(/prod\.json[\s\S]*"timeoutSeconds"/);
  expect(fs.existsSync(locations.outDir)).toBe(false);
});

test('fails when the model file was not written by resolve-model', async () => {
  fs.rmSync(locations.modelFile);
  await expect(exportConfigs([], ENV, locations)).rejects.toThrow(/resolve-model/);
});

test('fails when a value would be rejected by the template', async () => {
  await expect(exportConfigs([], { ...ENV, SAGEMAKER_PROJECT_ID: 'P-NOT-AN-ID' }, locations)).rejects.toThrow(
    /parameter "ProjectId".*AllowedPattern/,
  );
});

describe('checkParametersAgainstTemplate', () => {
  const template = {
    Parameters: {
      Size: { Type: 'Number', MinValue: 1, MaxValue: 10 },
      Mode: { Type: 'String', AllowedValues: ['a', 'b'], Default: 'a' },
      Id: { Type: 'String', AllowedPattern: '^p-[a-z0-9]{12}$' },
    },
  };

  test('accepts values in range and omitted defaults', () => {
    expect(checkParametersAgainstTemplate(template, { Size: '10', Id: 'p-abcdef123456' })).toEqual([]);
  });

  test('names out-of-range, unknown, missing and non-numeric parameters', () => {
    expect(checkParametersAgainstTemplate(template, { Size: '11', Extra: 'x' })).toEqual([
      'parameter "Extra" is not a template parameter',
      'parameter "Size" = 11 is above MaxValue 10',
      'parameter "Id" has no default and no value',
    ]);
    expect(checkParametersAgainstTemplate(template, { Size: 'ten', Id: 'p-abcdef123456', Mode: 'c' })).toEqual([
      'parameter "Size" must be a number (got "ten")',
      'parameter "Mode" = "c" is not one of a, b',
    ]);
  });
});
