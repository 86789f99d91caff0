#!/usr/bin/env ts-node
import * as path from 'path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parseArguments, requireEnv, runMain, UsageError } from '../lib/cli';
import { resolveApprovedModel, writeModelFiles } from '../lib/model-package';
import { BUILD_MODEL_FILE, SERVICE_MODEL_DIR } from '../lib/template-contract';

const USAGE = `usage: npm run resolve-model

Finds the newest Approved model package in SOURCE_MODEL_PACKAGE_GROUP_NAME and writes
${BUILD_MODEL_FILE} (package ARN, version, ModelDataUrl) and ${SERVICE_MODEL_DIR}/model-package.json.

environment:
  SOURCE_MODEL_PACKAGE_GROUP_NAME  model package group of the SageMaker project (required)
  MODEL_PACKAGE_VERSION            an Approved version to deploy instead of the newest (a rollback);
                                   empty or "latest" for the newest (the pipeline variable's default)
  AWS_REGION                       region of the group (the AWS SDK's usual settings apply)`;

/** Resolves the model with the given client and writes the build files under `rootDir`. */
export async function resolveModel(argv: readonly string[], env: NodeJS.ProcessEnv, client: SageMakerClient, rootDir: string): Promise<void> {
  const args = parseArguments(argv, { help: { type: 'boolean' } }, USAGE);
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const group = requireEnv('SOURCE_MODEL_PACKAGE_GROUP_NAME', 'the model package group to deploy from', env);
  const model = await resolveApprovedModel(client, group, requestedVersion(env.MODEL_PACKAGE_VERSION));
  writeModelFiles(model, path.join(rootDir, BUILD_MODEL_FILE), path.join(rootDir, SERVICE_MODEL_DIR));
  console.log(`resolved ${model.packageArn} (version ${model.version}, created ${model.creationTime})`);
  console.log(`model data: ${model.modelDataUrl}`);
}

/** MODEL_PACKAGE_VERSION: empty or "latest" for the newest Approved version, else a version number. */
export function requestedVersion(value: string | undefined): number | undefined {
  const text = (value ?? '').trim();
  if (text === '' || text === 'latest') return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(text)) {
    throw new UsageError(`MODEL_PACKAGE_VERSION must be "latest" or a model package version number such as 3, got "${text}"`);
  }
  return Number(text);
}

if (require.main === module) {
  runMain('resolve-model', () => resolveModel(process.argv.slice(2), process.env, new SageMakerClient({}), path.resolve(__dirname, '..')));
}
