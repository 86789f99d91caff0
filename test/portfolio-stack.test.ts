import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FIXTURE_NAMES, portfolioTemplate, portfolioTemplateFile, PRODUCT_KINDS, productTemplateFile, resourcesOfType, SYNTH_DIR, TEST_CONFIG_FILE } from './synthesized-app';
import { loadPortfolioConfig } from '../product/portfolio-config';
import { STUDIO_VISIBILITY_TAG } from '../product/sagemaker-project';

const config = loadPortfolioConfig(TEST_CONFIG_FILE);
const template = Template.fromJSON(portfolioTemplate());

describe('PortfolioStack', () => {
  const products = { lambda: config.product, endpoint: config.endpointProduct! };

  test.each(PRODUCT_KINDS)('the %s product carries the Studio visibility tag, or Studio would not list it', (kind) => {
    template.hasResourceProperties('AWS::ServiceCatalog::CloudFormationProduct', {
      Name: products[kind].name,
      Owner: products[kind].owner,
      Tags: Match.arrayWith([{ Key: STUDIO_VISIBILITY_TAG, Value: 'true' }]),
    });
  });

  test.each(PRODUCT_KINDS)('the %s product publishes its configured version from its own product template', (kind) => {
    const [, product] = resourcesOfType(portfolioTemplate(), 'AWS::ServiceCatalog::CloudFormationProduct')
      .find(([, p]) => p.Properties.Name === products[kind].name)!;
    const artifacts = product.Properties.ProvisioningArtifactParameters;
    expect(artifacts).toHaveLength(1 + products[kind].previousVersionLabels.length);
    expect(artifacts[0]).toMatchObject({ Name: products[kind].versionLabel, DisableTemplateValidation: false });
    // The URL points at the file asset whose source is the synthesized product template.
    const assets = JSON.parse(fs.readFileSync(path.join(SYNTH_DIR, portfolioTemplateFile().replace('.template.json', '.assets.json')), 'utf8'));
    const [hash] = Object.entries<any>(assets.files).find(([, a]) => a.source.path === productTemplateFile(kind))!;
    expect(JSON.stringify(artifacts[0].Info.LoadTemplateFromURL)).toContain(`/${hash}.json`);
  });

  test('the portfolio takes its metadata from the configuration file', () => {
    template.hasResourceProperties('AWS::ServiceCatalog::Portfolio', {
      DisplayName: config.portfolio.displayName,
      ProviderName: config.portfolio.providerName,
      Description: config.portfolio.description,
    });
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioProductAssociation', 2);
  });

  test('both products launch with the template\'s own launch role through a launch constraint', () => {
    const [[launchRoleId]] = resourcesOfType(portfolioTemplate(), 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === FIXTURE_NAMES.launchRole);
    template.hasResourceProperties('AWS::ServiceCatalog::LaunchRoleConstraint', { LocalRoleName: { Ref: launchRoleId } });
    template.resourceCountIs('AWS::ServiceCatalog::LaunchRoleConstraint', 2);
  });

  test('every configured execution role ARN gets portfolio access as an IAM principal', () => {
    for (const arn of config.access.executionRoleArns) {
      template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', { PrincipalARN: arn, PrincipalType: 'IAM' });
    }
  });

  test('every configured role pattern gets portfolio access as an IAM_PATTERN principal', () => {
    for (const pattern of config.access.rolePatterns) {
      template.hasResourceProperties('AWS::ServiceCatalog::PortfolioPrincipalAssociation', {
        PrincipalARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam:::role/${pattern}`]] },
        PrincipalType: 'IAM_PATTERN',
      });
    }
    template.resourceCountIs('AWS::ServiceCatalog::PortfolioPrincipalAssociation',
      config.access.executionRoleArns.length + config.access.rolePatterns.length);
  });

  test('the asset bucket has the literal sagemaker- name and is encrypted, versioned, private and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: config.assetBucketName,
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(config.assetBucketName).toMatch(/^sagemaker-/);
  });

  test('the asset bucket refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        })]),
      },
    });
  });

  test('the configured extra tags are on the portfolio stack resources', () => {
    for (const [key, value] of Object.entries(config.tags)) {
      template.hasResourceProperties('AWS::ServiceCatalog::Portfolio', { Tags: Match.arrayWith([{ Key: key, Value: value }]) });
      template.hasResourceProperties('AWS::S3::Bucket', { Tags: Match.arrayWith([{ Key: key, Value: value }]) });
    }
  });
});
