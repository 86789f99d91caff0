import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
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
/**
 * The same app with both products' repositories behind CodeConnections connections (config key product.source).
 * Outside the repository: jest's module map would otherwise see each seed's package.json twice. One folder per checkout.
 */
export const CONNECTIONS_SYNTH_DIR = path.join(os.tmpdir(),
  `cdk.out-codeconnections-${createHash('sha256').update(path.resolve(__dirname)).digest('hex').slice(0, 12)}`);
export const CONNECTIONS_CONFIG_FILE = path.join(__dirname, 'fixtures', 'portfolio-codeconnections.yaml');
/** Account and region the test app is synthesized for (the asset bucket name is from the fixture). */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' };

export type CfnTemplate = {
  Parameters?: Record<string, any>;
  Resources: Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
  Outputs?: Record<string, any>;
};

/** A JSON file CDK wrote (a template, an assets manifest, the validation report). */
export function readJson(file: string, dir = SYNTH_DIR): any {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
}

export function readTemplate(file: string, dir = SYNTH_DIR): CfnTemplate {
  return readJson(file, dir);
}

/** Every template CDK wrote: the portfolio stack and the product (ProductStack) template. */
export function templateFiles(dir = SYNTH_DIR): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.template.json')).sort();
}

/** The two products: the Lambda service (construct id SageMakerProject) and the SageMaker endpoint variant. */
export type ProductKind = 'lambda' | 'endpoint';
const PRODUCT_STACK_IDS: Record<ProductKind, string> = { lambda: 'SageMakerProject', endpoint: 'SageMakerEndpointProject' };
export const PRODUCT_KINDS: ProductKind[] = ['lambda', 'endpoint'];

export function productTemplateFile(kind: ProductKind = 'lambda', dir = SYNTH_DIR): string {
  const pattern = new RegExp(`${PRODUCT_STACK_IDS[kind]}[0-9A-F]{8}\\.product\\.template\\.json$`);
  const files = templateFiles(dir).filter((f) => pattern.test(f));
  if (files.length !== 1) throw new Error(`expected one ${kind} product template in ${dir}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function portfolioTemplateFile(dir = SYNTH_DIR): string {
  const files = templateFiles(dir).filter((f) => !f.endsWith('.product.template.json'));
  if (files.length !== 1) throw new Error(`expected one portfolio template in ${dir}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function productTemplate(kind: ProductKind = 'lambda', dir = SYNTH_DIR): CfnTemplate {
  return readTemplate(productTemplateFile(kind, dir), dir);
}

export function portfolioTemplate(dir = SYNTH_DIR): CfnTemplate {
  return readTemplate(portfolioTemplateFile(dir), dir);
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
