import {
  inferenceFunctionName, LONGEST_PROJECT_ID, LONGEST_PROJECT_NAME, PROJECT_ID_LENGTH, PROJECT_ID_PATTERN, PROJECT_NAME_MAX_LENGTH,
  PROJECT_NAME_PATTERN, PROJECT_NAMES, projectName, projectResourcePrefix,
} from '../product/sagemaker-project';

const LONGEST = { projectName: LONGEST_PROJECT_NAME, projectId: LONGEST_PROJECT_ID };
const UPPER_CASE_NAME = { projectName: 'MyProject', projectId: 'p-abcdef123456' };

describe('SageMaker Projects contract', () => {
  test('the longest legal project name and id satisfy Studio\'s own patterns', () => {
    expect(LONGEST_PROJECT_NAME).toHaveLength(PROJECT_NAME_MAX_LENGTH);
    expect(LONGEST_PROJECT_NAME).toMatch(new RegExp(`${PROJECT_NAME_PATTERN}$`));
    expect(LONGEST_PROJECT_ID).toHaveLength(PROJECT_ID_LENGTH);
    expect(LONGEST_PROJECT_ID).toMatch(new RegExp(PROJECT_ID_PATTERN));
  });

  test('the name pattern accepts every name SageMaker CreateProject accepts, including a leading digit', () => {
    const name = new RegExp(PROJECT_NAME_PATTERN);
    for (const ok of ['2026-churn', '9', 'a', 'Churn--Model-2', LONGEST_PROJECT_NAME]) expect({ ok, valid: name.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['-churn', 'churn-', 'churn_2026', 'churn model', 'churn.v2', '']) expect({ bad, valid: name.test(bad) }).toEqual({ bad, valid: false });
  });

  test('the id pattern rejects upper case and wrong lengths', () => {
    const id = new RegExp(PROJECT_ID_PATTERN);
    expect(id.test('p-ABCDEF123456')).toBe(false);
    expect(id.test('p-abc')).toBe(false);
    expect(id.test('p-abcdef1234567')).toBe(false);
    expect(id.test('p-abcdef123456')).toBe(true);
  });

  test.each(Object.entries(PROJECT_NAMES))('%s fits its service limit at the longest legal name and id', (_key, rule) => {
    expect(rule.make(LONGEST).length).toBeLessThanOrEqual(rule.maxLength);
  });

  test.each(Object.entries(PROJECT_NAMES).filter(([, r]) => r.lowerCaseOnly))(
    '%s stays lower case when the project name has upper case', (_key, rule) => {
      const name = rule.make(UPPER_CASE_NAME);
      expect(name).toBe(name.toLowerCase());
      expect(name).not.toContain(UPPER_CASE_NAME.projectName);
    });

  test('names follow the built-in templates', () => {
    const p = { projectName: 'abalone', projectId: 'p-abcdef123456' };
    expect(projectName('artifactBucket', p)).toBe('sagemaker-project-p-abcdef123456');
    expect(projectName('modelPackageGroup', p)).toBe('abalone-p-abcdef123456');
    expect(projectName('modelBuildRepository', p)).toBe('sagemaker-abalone-p-abcdef123456-modelbuild');
    expect(projectName('modelDeployPipeline', p)).toBe('sagemaker-abalone-p-abcdef123456-modeldeploy');
    expect(projectName('stagingStack', p)).toBe('sagemaker-abalone-p-abcdef123456-deploy-staging');
    expect(projectName('prodStack', p)).toBe('sagemaker-abalone-p-abcdef123456-deploy-prod');
  });

  test('IAM roles, rules and functions share the project prefix the launch role is scoped to', () => {
    const prefix = projectResourcePrefix(LONGEST_PROJECT_ID);
    for (const [key, rule] of Object.entries(PROJECT_NAMES)) {
      if (rule.service === 'IAM role' || rule.service === 'EventBridge rule') {
        expect([key, rule.make(LONGEST).startsWith(prefix)]).toEqual([key, true]);
      }
    }
    expect(inferenceFunctionName(LONGEST_PROJECT_ID, 'staging').length).toBeLessThanOrEqual(64);
    expect(inferenceFunctionName(LONGEST_PROJECT_ID, 'prod')).toBe(`${prefix}prod-inference`);
  });
});
