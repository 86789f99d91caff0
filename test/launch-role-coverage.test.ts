import { isIamAction } from './resource-schemas';
import { allowedActions, allows, COMMON_EXCLUSIONS, Exclusion, expectRoleCovers, resourceTypes } from './role-coverage';
import { portfolioTemplate, PRODUCT_KINDS, productTemplate, resourcesOfType } from './synthesized-app';
import { LAUNCH_ROLE_NAME } from '../product/launch-role';

/**
 * The failure users hit most with custom project templates: Studio launches, CloudFormation starts,
 * and the launch role lacks one action for one resource. Every resource type in the product
 * template is checked against the actions its provider schema says CloudFormation calls.
 */
const NOT_USED_BY_THE_PRODUCT: Exclusion[] = [
  ...COMMON_EXCLUSIONS,
  [/^s3tables:/, 'S3 metadata tables are not configured on project buckets'],
  [/^s3:(Create|Update|Delete|Get)Bucket\w*MetadataTableConfiguration$|^s3:UpdateBucketMetadata/, 'S3 metadata tables are not configured'],
  [/^s3:(PutBucketReplication|PutReplicationConfiguration|DeleteBucketReplication)$/, 'project buckets are not replicated'],
  [/^codestar-connections:/, 'the pipelines read CodeCommit, not a CodeStar connection'],
  [/^iam:(Put|Get|Delete)(User|Group)Policy$/, 'the template attaches inline policies to roles only'],
  [/^iam:DeleteRolePermissionsBoundary$/, 'project roles keep the boundary: the launch role must never be able to remove it'],
  [/^codecommit:UpdateRepositoryEncryptionKey$/, 'repositories use the AWS-managed key'],
];

const portfolio = portfolioTemplate();
const [[launchRoleId]] = resourcesOfType(portfolio, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === LAUNCH_ROLE_NAME);
const allowed = allowedActions(portfolio, launchRoleId);
// Both products launch with the same role: it must cover the union of their resource types.
const productTypes = [...new Set(PRODUCT_KINDS.flatMap((kind) => resourceTypes(productTemplate(kind))))].sort();

describe('launch role coverage of the product template', () => {
  test('the product template has resources to cover', () => {
    expect(productTypes.length).toBeGreaterThan(8);
  });

  expectRoleCovers('launch role', allowed, productTypes, NOT_USED_BY_THE_PRODUCT);

  test('the launch role names only real IAM actions', () => {
    expect(allowed.filter((a) => !a.includes('*') && !isIamAction(a))).toEqual([]);
  });

  test('the matcher honours IAM wildcards and rejects near misses', () => {
    expect(allows(['s3:Get*'], 's3:GetObject')).toBe(true);
    expect(allows(['s3:GetObject'], 's3:GetObjectVersion')).toBe(false);
    expect(allows(['iam:PassRole'], 'iam:passrole')).toBe(true);
  });
});
