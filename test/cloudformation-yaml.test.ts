import { parse } from 'yaml';
import { cloudFormationYaml } from '../product/cloudformation-yaml';

describe('cloudFormationYaml', () => {
  test('quotes every string a YAML 1.1 reader (CloudFormation, PyYAML) would read as another type', () => {
    const ambiguous = ['yes', 'No', 'on', 'OFF', 'y', 'n', 'true', 'null', '~', '2010-09-09', '0755', '0x1F', '1_000', '12:30', '1e3', '.inf', ''];
    const text = cloudFormationYaml({ Values: ambiguous });
    for (const value of ambiguous) expect(text).toContain(`- "${value}"`);
    expect(parse(text, { version: '1.1' })).toEqual({ Values: ambiguous });
  });

  test('keeps intrinsic functions in their long form and reads back as the same template', () => {
    const template = {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: { R: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Join': ['', ['a-', { Ref: 'AWS::AccountId' }]] } } } },
      Outputs: { Long: { Value: 'x'.repeat(300) }, Lines: { Value: 'one\ntwo' } },
    };
    const text = cloudFormationYaml(template);
    expect(text).toContain('Fn::Join:');
    expect(text).not.toMatch(/!\w+/);
    expect(text).toContain(`Value: ${'x'.repeat(300)}\n`);
    expect(parse(text, { version: '1.1' })).toEqual(template);
  });

  test('writes the header lines as comments before the document', () => {
    const text = cloudFormationYaml({ A: 1 }, ['first', 'second']);
    expect(text.startsWith('# first\n# second\nA: 1\n')).toBe(true);
  });

  test('never turns repeated objects into anchors and aliases', () => {
    const shared = { Ref: 'X' };
    expect(cloudFormationYaml({ A: shared, B: shared })).not.toMatch(/[&*]a\d/);
  });
});
