import * as fs from 'fs';
import * as path from 'path';

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

export function productTemplateFile(): string {
  const files = templateFiles().filter((f) => f.endsWith('.product.template.json'));
  if (files.length !== 1) throw new Error(`expected one product template in ${SYNTH_DIR}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function portfolioTemplateFile(): string {
  const files = templateFiles().filter((f) => !f.endsWith('.product.template.json'));
  if (files.length !== 1) throw new Error(`expected one portfolio template in ${SYNTH_DIR}, found ${files.join(', ') || 'none'}`);
  return files[0];
}

export function productTemplate(): CfnTemplate {
  return readTemplate(productTemplateFile());
}

export function portfolioTemplate(): CfnTemplate {
  return readTemplate(portfolioTemplateFile());
}

export function resourcesOfType(template: CfnTemplate, type: string): Array<[string, CfnTemplate['Resources'][string]]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
