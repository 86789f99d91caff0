import * as fs from 'fs';
import * as path from 'path';
import { createOnlyChanges, createOnlyProperties } from './create-only-properties';
import { PRODUCT_KINDS, productTemplate, productTemplateFile } from './synthesized-app';
import { PRODUCT_SNAPSHOT_DIRECTORY } from '../product/portfolio-stack';

/**
 * A product update must not replace a named resource. Every published product version is kept in
 * product-stack-snapshots/ (ProductStackHistory); projects launched from it are updated to the
 * current template, so no create-only property of a named resource may differ from any of them.
 */
const SNAPSHOTS = path.join(__dirname, '..', PRODUCT_SNAPSHOT_DIRECTORY);
/** `<history id>.<product stack id>.<version>.product.template.json`: the product stack id identifies the product. */
const productStackId = (file: string) => file.split('.')[1];

describe('create-only properties of named resources never change between product versions', () => {
  test.each(PRODUCT_KINDS)('every published %s product version can be updated to the current template without a replacement', (kind) => {
    const current = productTemplate(kind);
    const id = productTemplateFile(kind).replace(/\.product\.template\.json$/, '').replace(/^SageMakerServerlessInferencePortfolio/, '');
    const published = fs.readdirSync(SNAPSHOTS).filter((f) => f.endsWith('.product.template.json') && productStackId(f).endsWith(id));
    expect(published.length).toBeGreaterThan(0);
    for (const file of published) {
      const snapshot = JSON.parse(fs.readFileSync(path.join(SNAPSHOTS, file), 'utf8'));
      expect({ file, changes: createOnlyChanges(snapshot, current) }).toEqual({ file, changes: [] });
    }
  });

  test('the check finds a changed model package group description (create-only in its provider schema)', () => {
    expect(createOnlyProperties('AWS::SageMaker::ModelPackageGroup')).toEqual(['ModelPackageGroupName', 'ModelPackageGroupDescription']);
    const current = productTemplate('lambda');
    const edited = JSON.parse(JSON.stringify(current));
    const [groupId] = Object.entries<any>(edited.Resources).find(([, r]) => r.Type === 'AWS::SageMaker::ModelPackageGroup')!;
    edited.Resources[groupId].Properties.ModelPackageGroupDescription = 'Reworded in a later version';
    expect(createOnlyChanges(current, edited)).toEqual([{ logicalId: groupId, type: 'AWS::SageMaker::ModelPackageGroup', property: 'ModelPackageGroupDescription' }]);
  });

  test('the check finds a renamed role and ignores a changed policy', () => {
    const current = productTemplate('lambda');
    const edited = JSON.parse(JSON.stringify(current));
    const [roleId, role] = Object.entries<any>(edited.Resources).find(([, r]) => r.Type === 'AWS::IAM::Role')!;
    role.Properties.RoleName = 'sagemaker-renamed';
    role.Properties.Description = 'a description is not create-only';
    expect(createOnlyChanges(current, edited)).toEqual([{ logicalId: roleId, type: 'AWS::IAM::Role', property: 'RoleName' }]);
  });
});
