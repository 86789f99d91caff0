import * as fs from 'fs';
import * as path from 'path';
import {
  DescribeModelPackageCommand,
  ModelPackageSummary,
  paginateListModelPackages,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { MODEL_PACKAGE_FILE } from './template-contract';

/** The approved model package the build bakes into the image (the content of `build/model.json`). */
export interface ResolvedModel {
  readonly packageGroupName: string;
  readonly packageArn: string;
  readonly version: number;
  /** S3 URL of the model artifact (`model.tar.gz`). */
  readonly modelDataUrl: string;
  /** ISO-8601 creation time of the package. */
  readonly creationTime: string;
}

/** No model package can be deployed (none approved, or the approved one is unusable). */
export class ModelResolutionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelResolutionError';
  }
}

/**
 * Finds the newest Approved model package of a model package group, or the Approved version
 * `requested` when one is asked for (a rollback), and describes it.
 *
 * The query asks SageMaker for approved packages only, newest first; the newest is still
 * picked across all pages by creation time, so the answer does not depend on page order.
 * @throws ModelResolutionError when the group has no approved package or it has no model data
 */
export async function resolveApprovedModel(client: SageMakerClient, packageGroupName: string, requested?: number): Promise<ResolvedModel> {
  let newest: ModelPackageSummary | undefined;
  let pinned: ModelPackageSummary | undefined;
  const pages = paginateListModelPackages(
    { client, pageSize: 100 },
    {
      ModelPackageGroupName: packageGroupName,
      ModelApprovalStatus: 'Approved',
      SortBy: 'CreationTime',
      SortOrder: 'Descending',
    },
  );
  for await (const page of pages) {
    for (const summary of page.ModelPackageSummaryList ?? []) {
      if (!newest || time(summary) > time(newest)) newest = summary;
      if (requested !== undefined && summary.ModelPackageVersion === requested) pinned = summary;
    }
  }
  if (requested !== undefined) {
    // A rollback (MODEL_PACKAGE_VERSION): only a version that is still Approved may be deployed.
    if (!pinned) {
      throw new ModelResolutionError(
        `version ${requested} of model package group "${packageGroupName}" is not Approved (or does not exist): approve it, `
          + 'or start the pipeline without MODEL_PACKAGE_VERSION to deploy the newest Approved version',
      );
    }
    newest = pinned;
  }
  if (!newest?.ModelPackageArn) {
    throw new ModelResolutionError(
      `no Approved model package in model package group "${packageGroupName}": ` +
        'approve a version in SageMaker Studio (Models → Model registry) or with UpdateModelPackage, then release the pipeline again',
    );
  }

  const described = await client.send(new DescribeModelPackageCommand({ ModelPackageName: newest.ModelPackageArn }));
  const modelDataUrl = described.InferenceSpecification?.Containers?.[0]?.ModelDataUrl;
  if (!modelDataUrl) {
    throw new ModelResolutionError(
      `model package ${newest.ModelPackageArn} has no InferenceSpecification.Containers[0].ModelDataUrl`,
    );
  }
  const version = described.ModelPackageVersion ?? newest.ModelPackageVersion;
  if (version === undefined) {
    throw new ModelResolutionError(`model package ${newest.ModelPackageArn} has no ModelPackageVersion`);
  }
  return {
    packageGroupName,
    packageArn: newest.ModelPackageArn,
    version,
    modelDataUrl,
    creationTime: (described.CreationTime ?? newest.CreationTime ?? new Date(0)).toISOString(),
  };
}

/**
 * Writes the build file later steps read (`build/model.json`) and the package identity the
 * handler returns with every prediction (`<serviceModelDir>/model-package.json`).
 */
export function writeModelFiles(model: ResolvedModel, buildModelFile: string, serviceModelDir: string): void {
  fs.mkdirSync(path.dirname(buildModelFile), { recursive: true });
  fs.writeFileSync(buildModelFile, JSON.stringify(model, null, 2) + '\n');
  fs.mkdirSync(serviceModelDir, { recursive: true });
  fs.writeFileSync(
    path.join(serviceModelDir, MODEL_PACKAGE_FILE),
    JSON.stringify({ packageArn: model.packageArn, version: model.version }, null, 2) + '\n',
  );
}

/**
 * Reads `build/model.json` as written by {@link writeModelFiles}.
 * @throws ModelResolutionError naming the file when it is missing or malformed
 */
export function readModelFile(file: string): ResolvedModel {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelResolutionError(`cannot read ${file} (run \`npm run resolve-model\` first): ${(err as Error).message}`);
  }
  const m = raw as Partial<ResolvedModel>;
  if (typeof m?.packageArn !== 'string' || !Number.isInteger(m.version) || typeof m.modelDataUrl !== 'string') {
    throw new ModelResolutionError(`${file} must hold packageArn (string), version (integer) and modelDataUrl (string)`);
  }
  return m as ResolvedModel;
}

function time(s: ModelPackageSummary): number {
  return s.CreationTime?.getTime() ?? 0;
}
