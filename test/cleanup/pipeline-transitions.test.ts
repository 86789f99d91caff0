import { DisableStageTransitionCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import { awsError, fakeAws, PROJECT } from './fakes';
import { projectName, PROJECT_ID_PARAMETER, PROJECT_NAME_PARAMETER } from '../../product/sagemaker-project';
import { freezeProjectPipelines, STAGES_TO_FREEZE } from '../../scripts/cleanup/pipeline-transitions';
import { PRODUCT_KINDS, productTemplate, resourcesOfType } from '../synthesized-app';

const aws = fakeAws();
beforeEach(() => aws.reset());

/** A CloudFormation name (`Fn::Join` of literals and parameter Refs) as text with `${Parameter}` placeholders. */
function nameText(value: any): string {
  if (typeof value === 'string') return value;
  if (value?.Ref) return `\${${value.Ref}}`;
  return value['Fn::Join'][1].map(nameText).join(value['Fn::Join'][0]);
}

describe('freezeProjectPipelines', () => {
  test('disables the inbound transition into ModelBuild/Build, ModelDeploy/DeployStaging and ModelDeploy/DeployProd', async () => {
    aws.codePipeline.on(DisableStageTransitionCommand).resolves({});
    await freezeProjectPipelines(aws.ctx, PROJECT);
    const calls = aws.codePipeline.commandCalls(DisableStageTransitionCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.pipelineName, c.stageName, c.transitionType])).toEqual([
      ['sagemaker-Churn-2026-p-abcdefghijkl-modelbuild', 'Build', 'Inbound'],
      ['sagemaker-Churn-2026-p-abcdefghijkl-modeldeploy', 'DeployStaging', 'Inbound'],
      ['sagemaker-Churn-2026-p-abcdefghijkl-modeldeploy', 'DeployProd', 'Inbound'],
    ]);
    // CodePipeline API reference, DisableStageTransition: reason pattern [a-zA-Z0-9!@ \(\)\.\*\?\-]+, 1-300 characters.
    for (const call of calls) expect(call.reason).toMatch(/^[a-zA-Z0-9!@ ().*?-]{1,300}$/);
  });

  test('a pipeline already deleted with the project stack is skipped', async () => {
    aws.codePipeline.on(DisableStageTransitionCommand).rejects(new PipelineNotFoundException({ message: 'not found', $metadata: {} }));
    await expect(freezeProjectPipelines(aws.ctx, PROJECT)).resolves.toBeUndefined();
  });

  test('any other refusal stops the clean-up, naming the pipeline and stage', async () => {
    aws.codePipeline.on(DisableStageTransitionCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    await expect(freezeProjectPipelines(aws.ctx, PROJECT))
      .rejects.toThrow('sagemaker-Churn-2026-p-abcdefghijkl-modelbuild: could not disable the transition into Build: not authorized');
  });

  test.each(PRODUCT_KINDS)('%s product: every frozen stage exists in the pipeline the product template names', (kind) => {
    const pipelines = new Map(resourcesOfType(productTemplate(kind), 'AWS::CodePipeline::Pipeline')
      .map(([, r]) => [nameText(r.Properties.Name), r.Properties.Stages.map((s: any) => s.Name)]));
    const placeholders = { projectName: `\${${PROJECT_NAME_PARAMETER}}`, projectId: `\${${PROJECT_ID_PARAMETER}}` };
    for (const { pipeline, stage } of STAGES_TO_FREEZE) {
      expect(pipelines.get(projectName(pipeline, placeholders))).toContain(stage);
    }
  });
});
