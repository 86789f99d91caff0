import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_NAME_QUALIFIER } from '../product/portfolio-config';
import { portfolioNames } from '../product/portfolio-names';

/**
 * The test suite synthesizes the real app once (test/global-setup.ts) with
 * test/fixtures/portfolio.yaml, and every template test reads the files CDK wrote. The product
 * template can only be tested this way: `Template.fromStack` does not work on a ProductStack.
 */
export const SYNTH_DIR = path.join(__dirname, '..', 'test-reports', 'cdk.out');
export const TEST_CONFIG_FILE = path.join(__dirname, 'fixtures', 'portfolio.yaml');
/** Account and region the test app is synthesized for (the asset bucket name is from the fixture). */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' };

export type CfnTemplate = {
  Parameters?: Record<string, any>;
  Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs?: Record<string, any>;
};

export function readTemplate(file: string): CfnTemplate {
  return JSON.parse(fs.readFileSync(path.join(SYNTH_DIR, file), 'utf8'));
}

/** Every template CDK wrote: the portfolio stack and the product (ProductStack) template. */
export function templateFiles(): string[] {
  return fs.readdirSync(SYNTH_DIR).filter((f) => f.endsWith('.template.json')).sort();
}

/** The two products: the Lambda service (construct id SageMakerProject) and the SageMaker endpoint variant. */
export type ProductKind = 'lambda' | 'endpoint';
const PRODUCT_STACK_IDS: Record<ProductKind, string> = { lambda: 'SageMakerProject', endpoint: 'SageMakerEndpointProject' };
export const PRODUCT_KINDS: ProductKind[] = ['lambda', 'endpoint'];

export function productTemplateFile(kind: ProductKind = 'lambda'): string {
  const pattern = new RegExp(`${PRODUCT_STACK_IDS[kind]}[0-9A-F]{8}\\.product\\.template\\.json$`);
  const files = templateFiles().filter((f) => pattern.test(f));
  if (files.length !== 1) throw new Error(`expected one ${kind} product template in ${SYNTH_DIR}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function portfolioTemplateFile(): string {
  const files = templateFiles().filter((f) => !f.endsWith('.product.template.json'));
  if (files.length !== 1) throw new Error(`expected one portfolio template in ${SYNTH_DIR}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function productTemplate(kind: ProductKind = 'lambda'): CfnTemplate {
  return readTemplate(productTemplateFile(kind));
}

export function portfolioTemplate(): CfnTemplate {
  return readTemplate(portfolioTemplateFile());
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnTemplate['Resources'][string]]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** The project role named `sagemaker-<project id><suffix>` in a product template: [logical id, resource]. */
export function projectRole(template: CfnTemplate, suffix: string): [string, any] {
  const wanted = JSON.stringify({ 'Fn::Join': ['', ['sagemaker-', { Ref: 'SageMakerProjectId' }, suffix]] });
  const found = resourcesOfType(template, 'AWS::IAM::Role').find(([, r]) => JSON.stringify(r.Properties.RoleName) === wanted);
  if (!found) throw new Error(`no role sagemaker-<id>${suffix}`);
  return found;
}

/** Every statement of the inline policies attached to the role with logical id `roleId`. */
export function roleStatements(template: CfnTemplate, roleId: string): any[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** The launch role and boundary names of the test fixture's portfolio. */
export const FIXTURE_NAMES = portfolioNames(DEFAULT_NAME_QUALIFIER, TEST_ENV.region);
