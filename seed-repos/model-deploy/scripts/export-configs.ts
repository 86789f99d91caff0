#!/usr/bin/env ts-node
import * as fs from 'fs';
import * as path from 'path';
import { optionalEnv, parseArguments, requireEnv, runMain } from '../lib/cli';
import { buildInferenceApp } from '../lib/inference-app';
import { readModelFile } from '../lib/model-package';
import { defaultConfigDir, loadStageConfig } from '../lib/stage-config';
import { buildTemplateConfiguration, checkParametersAgainstTemplate, DeploymentInputs } from '../lib/template-configuration';
import { BUILD_MODEL_FILE, ExportFiles, STAGES, Stage } from '../lib/template-contract';

const USAGE = `usage: npm run export-configs

Validates config/staging.json and config/prod.json, synthesizes the stack, and writes the
pipeline's artifact files: the template and one template configuration per stage.

environment (required):
  SAGEMAKER_PROJECT_NAME, SAGEMAKER_PROJECT_ID   the SageMaker project (tags, resource names)
  ECR_REPOSITORY_NAME, IMAGE_TAG                 the image the build pushed
  LAMBDA_EXECUTION_ROLE_ARN                      the execution role the project created
  CODEDEPLOY_ROLE_ARN                            the role CodeDeploy shifts traffic with
environment (optional):
  NOTIFICATION_TOPIC_ARN          the project's SNS topic; alarms notify it (absent: no alarm actions)
  EXPORT_TEMPLATE_NAME            default ${ExportFiles.template}
  EXPORT_TEMPLATE_STAGING_CONFIG  default ${ExportFiles.stagingConfig}
  EXPORT_TEMPLATE_PROD_CONFIG     default ${ExportFiles.prodConfig}
reads ${BUILD_MODEL_FILE} (written by npm run resolve-model).`;

/** Where things are read from and written to; tests point these at temporary folders. */
export interface ExportLocations {
  /** Folder the export files are written to. */
  readonly outDir: string;
  /** Folder holding `<stage>.json`. */
  readonly configDir: string;
  /** The model file written by resolve-model. */
  readonly modelFile: string;
  /** Where the cloud assembly is synthesized. */
  readonly cdkOutDir: string;
}

/** Exports the template and the two template configurations; returns the paths written. */
export async function exportConfigs(argv: readonly string[], env: NodeJS.ProcessEnv, locations: ExportLocations): Promise<string[]> {
  const args = parseArguments(argv, { help: { type: 'boolean' } }, USAGE);
  if (args.help) {
    console.log(USAGE);
    return [];
  }
  const partial = {
    projectName: requireEnv('SAGEMAKER_PROJECT_NAME', 'SageMaker project name, for the stack tags', env),
    projectId: requireEnv('SAGEMAKER_PROJECT_ID', 'SageMaker project id, for tags and resource names', env),
    imageRepositoryName: requireEnv('ECR_REPOSITORY_NAME', "the project's ECR repository", env),
    imageTag: requireEnv('IMAGE_TAG', 'tag of the image this build pushed', env),
    lambdaExecutionRoleArn: requireEnv('LAMBDA_EXECUTION_ROLE_ARN', 'execution role created by the project', env),
    codeDeployRoleArn: requireEnv('CODEDEPLOY_ROLE_ARN', 'role CodeDeploy shifts traffic with, created by the project', env),
    notificationTopicArn: optionalEnv('NOTIFICATION_TOPIC_ARN', env),
  };
  const files: Record<'template' | Stage, string> = {
    template: env.EXPORT_TEMPLATE_NAME?.trim() || ExportFiles.template,
    staging: env.EXPORT_TEMPLATE_STAGING_CONFIG?.trim() || ExportFiles.stagingConfig,
    prod: env.EXPORT_TEMPLATE_PROD_CONFIG?.trim() || ExportFiles.prodConfig,
  };
  // Validate every input before writing anything, so a failed build leaves no partial export.
  const configs = STAGES.map((stage) => ({ stage, config: loadStageConfig(stage, locations.configDir) }));
  const model = readModelFile(locations.modelFile);
  const inputs: DeploymentInputs = { ...partial, modelPackageArn: model.packageArn, modelPackageVersion: model.version };

  const { app, stack } = buildInferenceApp({ outdir: locations.cdkOutDir });
  const templatePath = app.synth().getStackArtifact(stack.artifactId).templateFullPath;
  const template = JSON.parse(fs.readFileSync(templatePath, 'utf8'));

  const outputs: Array<[string, unknown]> = [[files.template, template]];
  for (const { stage, config } of configs) {
    const configuration = buildTemplateConfiguration(stage, config, inputs);
    const problems = checkParametersAgainstTemplate(template, configuration.Parameters);
    if (problems.length > 0) {
      throw new Error(`the ${stage} template configuration would be rejected by CloudFormation:\n  - ${problems.join('\n  - ')}`);
    }
    outputs.push([files[stage], configuration]);
  }
  fs.mkdirSync(locations.outDir, { recursive: true });
  return outputs.map(([name, content]) => {
    const file = path.join(locations.outDir, name);
    fs.writeFileSync(file, JSON.stringify(content, null, 2) + '\n');
    console.log(`wrote ${file}`);
    return file;
  });
}

if (require.main === module) {
  const root = path.resolve(__dirname, '..');
  runMain('export-configs', async () => {
    await exportConfigs(process.argv.slice(2), process.env, {
      outDir: process.cwd(),
      configDir: defaultConfigDir(),
      modelFile: path.join(root, BUILD_MODEL_FILE),
      cdkOutDir: path.join(root, 'cdk.out'),
    });
  });
}
