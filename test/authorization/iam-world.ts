import { PhysicalResource, TemplateValues } from './template-values';

/**
 * The IAM side of evaluated templates: every role with its trust policy, identity policies and
 * permissions boundary, and every resource policy (bucket, repository, Lambda permission), as the
 * policy engine takes them. Statements without a Sid get a positional one, so that every grant
 * has a stable name in the "no dead grants" report.
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: Statement[];
}

export interface Statement {
  Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export interface NamedPolicy {
  /** Unique across the world: `<template label>/<policy name>`. */
  readonly name: string;
  readonly policy: PolicyDocument;
}

export interface RoleModel {
  readonly name: string;
  readonly arn: string;
  readonly trust: NamedPolicy;
  readonly identity: NamedPolicy[];
  readonly boundary?: NamedPolicy;
  /** Created by the product (as opposed to the portfolio's launch role). */
  readonly label: string;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Gives each statement a Sid (`Stmt<n>`) when it has none; names must be unique within a policy. */
function named(name: string, document: PolicyDocument): NamedPolicy {
  const statements = asList(document.Statement).map((s, i) => ({ ...s, Sid: s.Sid ?? `Stmt${i}` }));
  return { name, policy: { Version: '2012-10-17', ...document, Statement: statements } };
}

/** Roles and managed policies of several evaluated templates that reference each other by name. */
export class IamWorld {
  readonly roles = new Map<string, RoleModel>();
  readonly resourcePolicies = new Map<string, NamedPolicy>();
  private readonly managedPolicies = new Map<string, NamedPolicy>();

  /** Adds the roles, policies and resource policies of one evaluated template. */
  add(label: string, values: TemplateValues, only?: (logicalId: string, type: string) => boolean): void {
    const resources = values.resources(only);
    for (const r of resources.filter((x) => x.type === 'AWS::IAM::ManagedPolicy')) {
      this.managedPolicies.set(r.ref, named(`${label}/${r.properties.ManagedPolicyName}`, r.properties.PolicyDocument));
    }
    for (const r of resources.filter((x) => x.type === 'AWS::IAM::Role')) {
      const name = r.ref;
      const identity: NamedPolicy[] = asList<any>(r.properties.Policies)
        .map((p) => named(`${label}/${name}/${p.PolicyName}`, p.PolicyDocument));
      for (const arn of asList<string>(r.properties.ManagedPolicyArns)) {
        identity.push(this.managed(arn, `${name}: ManagedPolicyArns`));
      }
      this.roles.set(name, {
        name,
        arn: r.attributes.Arn,
        label,
        trust: named(`${label}/${name}/trust`, r.properties.AssumeRolePolicyDocument),
        identity,
        boundary: r.properties.PermissionsBoundary ? this.managed(r.properties.PermissionsBoundary, `${name}: PermissionsBoundary`) : undefined,
      });
    }
    // A managed policy that names its roles (CDK's overflow when a role's inline policy would exceed IAM's size limit).
    for (const r of resources.filter((x) => x.type === 'AWS::IAM::ManagedPolicy' && x.properties.Roles)) {
      for (const roleName of asList<string>(r.properties.Roles)) (this.role(roleName).identity as NamedPolicy[]).push(this.managed(r.ref, `${r.logicalId}: Roles`));
    }
    for (const r of resources.filter((x) => x.type === 'AWS::IAM::Policy')) {
      for (const roleName of asList<string>(r.properties.Roles)) {
        const role = this.role(roleName);
        (role.identity as NamedPolicy[]).push(named(`${label}/${roleName}/${r.properties.PolicyName}`, r.properties.PolicyDocument));
      }
    }
    for (const r of resources) this.addResourcePolicy(label, r, resources);
  }

  role(name: string): RoleModel {
    const role = this.roles.get(name);
    if (!role) throw new Error(`no role named ${name} in the evaluated templates`);
    return role;
  }

  roleByArn(arn: string): RoleModel {
    const role = [...this.roles.values()].find((r) => r.arn === arn);
    if (!role) throw new Error(`no role with ARN ${arn} in the evaluated templates`);
    return role;
  }

  /** The resource policy that governs calls on `arn` (a bucket's covers its objects). */
  resourcePolicyFor(arn: string): NamedPolicy | undefined {
    const bucket = arn.match(/^(arn:[^:]+:s3:::[^/]+)/)?.[1];
    return this.resourcePolicies.get(bucket ?? arn);
  }

  /** Every policy whose Allow statements must each be used by some call. */
  allPolicies(): NamedPolicy[] {
    const roles = [...this.roles.values()];
    const boundaries = [...new Map(roles.filter((r) => r.boundary).map((r) => [r.boundary!.name, r.boundary!])).values()];
    return [...roles.flatMap((r) => [r.trust, ...r.identity]), ...boundaries, ...this.resourcePolicies.values()];
  }

  private managed(arn: string, where: string): NamedPolicy {
    const policy = this.managedPolicies.get(arn);
    // Only policies of the evaluated templates are allowed: an AWS-managed policy cannot be checked here.
    if (!policy) throw new Error(`${where} names ${arn}, which no evaluated template creates`);
    return policy;
  }

  private addResourcePolicy(label: string, r: PhysicalResource, all: PhysicalResource[]): void {
    switch (r.type) {
      case 'AWS::S3::BucketPolicy': {
        const bucket = all.find((b) => b.type === 'AWS::S3::Bucket' && b.ref === r.properties.Bucket);
        if (!bucket) throw new Error(`bucket policy ${r.logicalId} is for a bucket outside the template`);
        this.resourcePolicies.set(bucket.arn, named(`${label}/${bucket.ref}/bucket-policy`, r.properties.PolicyDocument));
        break;
      }
      case 'AWS::ECR::Repository':
        if (r.properties.RepositoryPolicyText) {
          this.resourcePolicies.set(r.arn, named(`${label}/${r.ref}/repository-policy`, r.properties.RepositoryPolicyText));
        }
        break;
      case 'AWS::KMS::Key':
        this.resourcePolicies.set(r.arn, named(`${label}/${r.logicalId}/key-policy`, r.properties.KeyPolicy));
        break;
      case 'AWS::SNS::TopicPolicy':
        for (const topic of r.properties.Topics as string[]) {
          this.resourcePolicies.set(topic, named(`${label}/${topic}/topic-policy`, r.properties.PolicyDocument));
        }
        break;
      case 'AWS::Lambda::Permission': {
        // Lambda turns each permission into a statement of the function's resource policy.
        const functionArn = r.properties.FunctionName;
        const existing = this.resourcePolicies.get(functionArn)?.policy.Statement ?? [];
        const statement: Statement = {
          Sid: r.logicalId,
          Effect: 'Allow',
          Principal: { Service: r.properties.Principal },
          Action: r.properties.Action,
          Resource: functionArn,
          ...(r.properties.SourceArn ? { Condition: { ArnLike: { 'AWS:SourceArn': r.properties.SourceArn } } } : {}),
        };
        this.resourcePolicies.set(functionArn, { name: `${label}/${functionArn}/function-policy`, policy: { Version: '2012-10-17', Statement: [...existing, statement] } });
        break;
      }
      default:
    }
  }
}
