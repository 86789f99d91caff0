import { Match, Template } from 'aws-cdk-lib/assertions';
import { isTaggable } from './resource-schemas';
import { CONNECTIONS_SYNTH_DIR, FIXTURE_NAMES, PRODUCT_KINDS, productTemplate, resourcesOfType, SYNTH_DIR, TEST_CONFIG_FILE } from './synthesized-app';
import { loadPortfolioConfig } from '../product/portfolio-config';
import {
  PROJECT_ID_LENGTH, PROJECT_ID_PARAMETER, PROJECT_ID_PATTERN, PROJECT_ID_TAG, PROJECT_NAME_MAX_LENGTH,
  PROJECT_NAME_PARAMETER, PROJECT_NAME_PATTERN, PROJECT_NAME_TAG,
} from '../product/sagemaker-project';

const config = loadPortfolioConfig(TEST_CONFIG_FILE);

describe.each(PRODUCT_KINDS)('SageMakerProjectStack (the %s product template)', (kind) => {
  const json = productTemplate(kind);
  const template = Template.fromJSON(json);

  test('takes the two parameters Studio fills, with Studio\'s patterns and lengths', () => {
    template.hasParameter(PROJECT_NAME_PARAMETER, {
      Type: 'String', AllowedPattern: PROJECT_NAME_PATTERN, MinLength: 1, MaxLength: PROJECT_NAME_MAX_LENGTH,
    });
    template.hasParameter(PROJECT_ID_PARAMETER, {
      Type: 'String', AllowedPattern: PROJECT_ID_PATTERN, MinLength: PROJECT_ID_LENGTH, MaxLength: PROJECT_ID_LENGTH,
    });
  });

  test('every other parameter has a default, so a Studio launch never asks for more', () => {
    for (const [name, parameter] of Object.entries(json.Parameters ?? {})) {
      if (name === PROJECT_NAME_PARAMETER || name === PROJECT_ID_PARAMETER) continue;
      expect([name, parameter.Default !== undefined]).toEqual([name, true]);
    }
  });

  test('the artifact bucket is sagemaker-project-<id>, encrypted, versioned, private, retained, with the configured noncurrent expiry', () => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketName: { 'Fn::Join': ['', ['sagemaker-project-', { Ref: PROJECT_ID_PARAMETER }]] },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        LifecycleConfiguration: {
          Rules: Match.arrayWith([Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: config.project.noncurrentVersionExpirationDays },
          })]),
        },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the artifact bucket refuses requests without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  test('every taggable resource carries the project tags and the configured extra tags', () => {
    const expected = [
      { Key: PROJECT_NAME_TAG, Value: { Ref: PROJECT_NAME_PARAMETER } },
      { Key: PROJECT_ID_TAG, Value: { Ref: PROJECT_ID_PARAMETER } },
      ...Object.entries(config.tags).map(([Key, Value]) => ({ Key, Value })),
    ];
    const taggable = Object.entries(json.Resources).filter(([, r]) => isTaggable(r.Type));
    expect(taggable.length).toBeGreaterThan(0);
    for (const [id, resource] of taggable) {
      const tags = resource.Properties?.Tags;
      // Most types take a list of {Key, Value}; a few (e.g. SSM) take a map.
      const asList = Array.isArray(tags) ? tags : Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
      expect({ id, tags: asList }).toEqual({ id, tags: expect.arrayContaining(expected) });
    }
  });

  test('every IAM role the project creates carries the project permissions boundary', () => {
    for (const [id, role] of resourcesOfType(json, 'AWS::IAM::Role')) {
      expect({ id, boundary: JSON.stringify(role.Properties.PermissionsBoundary) })
        .toEqual({ id, boundary: expect.stringContaining(`:policy/${FIXTURE_NAMES.permissionsBoundary}`) });
    }
  });

  test('outputs the artifact bucket name', () => {
    template.hasOutput('ArtifactBucketName', { Value: { Ref: Match.stringLikeRegexp('ArtifactBucket') } });
  });

  test('references nothing of the portfolio stack (a product is deployed on its own)', () => {
    expect(JSON.stringify(json)).not.toMatch(/Fn::ImportValue/);
  });
});

describe.each(PRODUCT_KINDS)('log groups of a project (%s product, CodeCommit and CodeConnections sources)', (kind) => {
  test.each([['codecommit', SYNTH_DIR], ['codeconnections', CONNECTIONS_SYNTH_DIR]])(
    'with %s, every log group the project creates expires and is deleted with the project', (_source, dir) => {
      const groups = resourcesOfType(productTemplate(kind, dir), 'AWS::Logs::LogGroup');
      expect(groups.length).toBeGreaterThan(0);
      for (const [id, group] of groups) {
        expect({ id, deletion: (group as any).DeletionPolicy, replace: (group as any).UpdateReplacePolicy, days: group.Properties.RetentionInDays })
          .toEqual({ id, deletion: 'Delete', replace: 'Delete', days: expect.any(Number) });
      }
    });
});
