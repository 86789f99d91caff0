import { stringify } from 'yaml';

/**
 * A synthesized CloudFormation template (JSON) as YAML, the format SageMaker Studio's S3 templates use
 * (aws-samples/sagemaker-custom-project-templates, s3_templates/README.md: "templates must be valid YAML";
 * every sample there is a .yaml file).
 *
 * Intrinsic functions stay in their long form (`Fn::Join:`), which YAML templates accept as they are (CloudFormation
 * User Guide, "Intrinsic function reference": the full function name form is valid in YAML), so no `!Tag` is needed.
 * Strings are written for a YAML 1.1 reader: PyYAML, which cfn-lint uses, and CloudFormation read `yes`, `on`,
 * `2010-09-09` or `0755` unquoted as booleans, dates and octals, and the yaml package quotes such strings only in its
 * 1.1 mode. Lines are never folded and repeated objects never become anchors, so the text reads back as exactly the JSON.
 */
export function cloudFormationYaml(template: unknown, header: readonly string[] = []): string {
  const body = stringify(template, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
  return [...header.map((line) => `# ${line}`), body].join('\n');
}
