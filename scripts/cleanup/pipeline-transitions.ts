import { DisableStageTransitionCommand } from '@aws-sdk/client-codepipeline';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, isNotFound } from './errors';
import { ProjectIdentity, ProjectNameKey, projectName } from '../../product/sagemaker-project';

/**
 * The stages that would recreate what the clean-up deletes: ModelBuild's Build upserts and starts the
 * SageMaker pipeline, ModelDeploy's DeployStaging and DeployProd create the stage stacks. Stage names of
 * pipelines/model-build-pipeline.ts and pipelines/model-deploy-pipeline.ts (a test reads them from the template).
 */
export const STAGES_TO_FREEZE: ReadonlyArray<{ readonly pipeline: ProjectNameKey; readonly stage: string }> = [
  { pipeline: 'modelBuildPipeline', stage: 'Build' },
  { pipeline: 'modelDeployPipeline', stage: 'DeployStaging' },
  { pipeline: 'modelDeployPipeline', stage: 'DeployProd' },
];

/** DisableStageTransition's `reason` allows letters, digits, spaces and `!@()-.*?` only (CodePipeline API reference). */
const REASON = 'SageMaker project is being deleted';

/**
 * Disables the inbound transition of each stage in STAGES_TO_FREEZE, so that a push or a model approval
 * during the clean-up cannot deploy again what was just deleted. Runs already past a transition are
 * not stopped; a stage stack they are updating is refused by deleteStageStacks. A pipeline already gone
 * (the project stack was deleted) is skipped.
 */
export async function freezeProjectPipelines(ctx: CleanupContext, project: ProjectIdentity): Promise<void> {
  for (const { pipeline, stage } of STAGES_TO_FREEZE) {
    const pipelineName = projectName(pipeline, project);
    try {
      await ctx.codePipeline.send(new DisableStageTransitionCommand({ pipelineName, stageName: stage, transitionType: 'Inbound', reason: REASON }));
      ctx.log(`disabled the transition into ${pipelineName} / ${stage}`);
    } catch (error) {
      if (isNotFound(error)) continue;
      throw new CleanupError(`${pipelineName}: could not disable the transition into ${stage}: ${errorMessage(error)}`);
    }
  }
}
