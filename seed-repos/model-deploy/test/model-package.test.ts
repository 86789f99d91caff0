import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DescribeModelPackageCommand, ListModelPackagesCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { UsageError } from '../lib/cli';
import { ModelResolutionError, readModelFile, resolveApprovedModel } from '../lib/model-package';
import { requestedVersion, resolveModel } from '../scripts/resolve-model';

const GROUP = 'Abalone-p-abcdef123456';
const arn = (v: number) => `arn:aws:sagemaker:eu-west-1:123456789012:model-package/abalone-p-abcdef123456/${v}`;
const summary = (v: number, created: string) => ({
  ModelPackageArn: arn(v),
  ModelPackageVersion: v,
  ModelPackageGroupName: GROUP,
  CreationTime: new Date(created),
  ModelApprovalStatus: 'Approved' as const,
  ModelPackageStatus: 'Completed' as const,
});
const described = (v: number) => ({
  ModelPackageArn: arn(v),
  ModelPackageName: GROUP,
  ModelPackageVersion: v,
  CreationTime: new Date('2024-05-01T00:00:00Z'),
  ModelPackageStatus: 'Completed' as const,
  InferenceSpecification: {
    Containers: [{ Image: 'xgboost', ModelDataUrl: `s3://sagemaker-project-p-abcdef123456/model-${v}/model.tar.gz` }],
    SupportedContentTypes: ['text/csv'],
    SupportedResponseMIMETypes: ['text/csv'],
  },
});

const sm = mockClient(SageMakerClient);
beforeEach(() => sm.reset());

test('asks only for Approved packages of the group, newest first', async () => {
  sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [summary(2, '2024-02-01T00:00:00Z')] });
  sm.on(DescribeModelPackageCommand).resolves(described(2));
  await resolveApprovedModel(new SageMakerClient({}), GROUP);
  expect(sm.commandCalls(ListModelPackagesCommand)[0].args[0].input).toMatchObject({
    ModelPackageGroupName: GROUP,
    ModelApprovalStatus: 'Approved',
    SortBy: 'CreationTime',
    SortOrder: 'Descending',
  });
});

test('follows NextToken and picks the newest approved package across pages', async () => {
  const pages = [
    { ModelPackageSummaryList: [summary(3, '2024-03-01T00:00:00Z'), summary(2, '2024-02-01T00:00:00Z')], NextToken: 't1' },
    { ModelPackageSummaryList: [summary(5, '2024-05-01T00:00:00Z')], NextToken: 't2' },
    { ModelPackageSummaryList: [summary(1, '2024-01-01T00:00:00Z')] },
  ];
  // Record the token at call time: the paginator reuses (mutates) one input object.
  const tokens: Array<string | undefined> = [];
  sm.on(ListModelPackagesCommand).callsFake((input) => {
    tokens.push(input.NextToken);
    return pages[tokens.length - 1];
  });
  sm.on(DescribeModelPackageCommand, { ModelPackageName: arn(5) }).resolves(described(5));

  const model = await resolveApprovedModel(new SageMakerClient({}), GROUP);

  expect(tokens).toEqual([undefined, 't1', 't2']);
  expect(model).toEqual({
    packageGroupName: GROUP,
    packageArn: arn(5),
    version: 5,
    modelDataUrl: 's3://sagemaker-project-p-abcdef123456/model-5/model.tar.gz',
    creationTime: '2024-05-01T00:00:00.000Z',
  });
});

test('fails clearly when no package is approved', async () => {
  sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [] });
  const run = resolveApprovedModel(new SageMakerClient({}), GROUP);
  await expect(run).rejects.toBeInstanceOf(ModelResolutionError);
  await expect(resolveApprovedModel(new SageMakerClient({}), GROUP)).rejects.toThrow(`no Approved model package in model package group "${GROUP}"`);
  expect(sm.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
});

test('fails when the approved package has no ModelDataUrl', async () => {
  sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [summary(2, '2024-02-01T00:00:00Z')] });
  sm.on(DescribeModelPackageCommand).resolves({ ...described(2), InferenceSpecification: undefined });
  await expect(resolveApprovedModel(new SageMakerClient({}), GROUP)).rejects.toThrow(/ModelDataUrl/);
});

describe('resolve-model script', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'resolve-model-'));
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  test('writes build/model.json and service/model/model-package.json', async () => {
    sm.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [summary(4, '2024-04-01T00:00:00Z')] });
    sm.on(DescribeModelPackageCommand).resolves(described(4));
    await resolveModel([], { SOURCE_MODEL_PACKAGE_GROUP_NAME: GROUP }, new SageMakerClient({}), root);
    expect(readModelFile(path.join(root, 'build/model.json'))).toMatchObject({ packageArn: arn(4), version: 4 });
    expect(JSON.parse(fs.readFileSync(path.join(root, 'service/model/model-package.json'), 'utf8'))).toEqual({ packageArn: arn(4), version: 4 });
  });

  test('fails naming SOURCE_MODEL_PACKAGE_GROUP_NAME when it is not set', async () => {
    const run = resolveModel([], {}, new SageMakerClient({}), root);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(resolveModel([], {}, new SageMakerClient({}), root)).rejects.toThrow(/SOURCE_MODEL_PACKAGE_GROUP_NAME/);
  });

  test('fails on an unknown argument', async () => {
    await expect(resolveModel(['--group', GROUP], { SOURCE_MODEL_PACKAGE_GROUP_NAME: GROUP }, new SageMakerClient({}), root)).rejects.toBeInstanceOf(UsageError);
  });
});

describe('rollback to an earlier Approved version (MODEL_PACKAGE_VERSION)', () => {
  const pages = { ModelPackageSummaryList: [summary(5, '2024-05-01T00:00:00Z'), summary(3, '2024-03-01T00:00:00Z')] };

  test('deploys the asked-for Approved version instead of the newest', async () => {
    sm.on(ListModelPackagesCommand).resolves(pages);
    sm.on(DescribeModelPackageCommand, { ModelPackageName: arn(3) }).resolves(described(3));
    const model = await resolveApprovedModel(new SageMakerClient({}), GROUP, 3);
    expect({ arn: model.packageArn, version: model.version }).toEqual({ arn: arn(3), version: 3 });
  });

  test('refuses a version that is not Approved, naming it and the way back to the newest', async () => {
    sm.on(ListModelPackagesCommand).resolves(pages);
    await expect(resolveApprovedModel(new SageMakerClient({}), GROUP, 4)).rejects.toThrow(
      `version 4 of model package group "${GROUP}" is not Approved (or does not exist)`);
    expect(sm.commandCalls(DescribeModelPackageCommand)).toHaveLength(0);
  });

  test.each([['', undefined], ['latest', undefined], [' 3 ', 3]])('MODEL_PACKAGE_VERSION %j means %j', (value, expected) => {
    expect(requestedVersion(value)).toBe(expected);
  });

  test.each(['0', '-1', '3.5', 'v3', 'newest'])('MODEL_PACKAGE_VERSION %j is refused with a message naming it', (value) => {
    expect(() => requestedVersion(value)).toThrow(`MODEL_PACKAGE_VERSION must be "latest" or a model package version number such as 3, got "${value}"`);
  });
});
