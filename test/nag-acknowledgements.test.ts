import * as fs from 'fs';
import * as path from 'path';
import { SYNTH_DIR } from './synthesized-app';

/** cdk-nag runs as a CDK validation plugin: synth already fails on a finding; this test reads its report. */
const report = JSON.parse(fs.readFileSync(path.join(SYNTH_DIR, 'validation-report.json'), 'utf8'));

describe('cdk-nag AwsSolutionsChecks', () => {
  const awsSolutions = report.pluginReports.find((p: any) => p.pluginName === 'AwsSolutions');

  test('ran on the app and found no unacknowledged finding', () => {
    expect(awsSolutions).toBeDefined();
    expect(awsSolutions.violations).toEqual([]);
    expect(awsSolutions.conclusion).toBe('success');
  });

  test('every acknowledged finding carries a reason a reviewer can check', () => {
    for (const rule of awsSolutions.suppressedViolations ?? []) {
      for (const construct of rule.violatingConstructs) {
        const reason = JSON.stringify(construct.acknowledgement ?? construct.suppressionReason ?? rule.reason ?? construct);
        expect({ rule: rule.ruleName, path: construct.constructPath, reason })
          .toEqual({ rule: rule.ruleName, path: construct.constructPath, reason: expect.stringMatching(/\w{4,}.*\s\w+/) });
      }
    }
  });
});
