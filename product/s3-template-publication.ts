import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, attachCustomSynthesis, Aws, CfnOutput, CfnOutputProps, FileAssetLocation, FileAssetPackaging, Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ProductStack } from 'aws-cdk-lib/aws-servicecatalog';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct, IConstruct } from 'constructs';
import { cloudFormationYaml } from './cloudformation-yaml';
import {
  PROJECT_NAME_TAG, S3_TEMPLATE_STACK_PREFIX, S3_TEMPLATES_LOCATION_TAG, STUDIO_ORIGIN, STUDIO_VISIBILITY_TAG,
} from './sagemaker-project';
import { regionalArn } from '../pipelines/project-context';

/**
 * The CORS rule Studio needs to read templates from the bucket in the browser, exactly as AWS's sample gives it
 * (aws-samples/sagemaker-custom-project-templates, s3_templates/cors-policy.json; s3_templates/README.md step 2).
 */
export const STUDIO_CORS_RULE: s3.CorsRule = {
  allowedHeaders: ['*'],
  allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.PUT, s3.HttpMethods.GET, s3.HttpMethods.HEAD, s3.HttpMethods.DELETE],
  allowedOrigins: [STUDIO_ORIGIN],
  exposedHeaders: ['ETag', 'x-amz-delete-marker', 'x-amz-id-2', 'x-amz-request-id', 'x-amz-server-side-encryption', 'x-amz-version-id'],
};

/**
 * What Studio reads: it lists the prefix, reads each object's tags to find `sagemaker:studio-visibility=true`
 * (s3_templates/README.md, Troubleshooting: "commonly the s3:GetObjectTagging permission is missing"), then the object.
 */
export const TEMPLATE_READ_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'];

/** One product template to publish, and the object it becomes. */
export interface S3TemplateSource {
  /** The product's template, the same ProductStack the Service Catalog product uses. */
  readonly productStack: ProductStack;
  /**
   * Object name under the prefix, without `.yaml`. Kept within CreateProject's TemplateName rule (1-32 characters,
   * `[a-zA-Z0-9](-*[a-zA-Z0-9])*`; SageMaker API reference, CfnCreateTemplateProvider) so it can double as one.
   */
  readonly name: string;
  /** Label of the product version, written into the object's metadata and the template's header comment. */
  readonly versionLabel: string;
}

export interface S3TemplatePublicationProps {
  /** The product asset bucket: it already holds the seed archives the templates reference. */
  readonly bucket: s3.Bucket;
  /** Literal name of {@link bucket}. */
  readonly bucketName: string;
  /** Folder of the bucket holding the templates, ending in `/`. */
  readonly keyPrefix: string;
  readonly templates: readonly S3TemplateSource[];
  /** SageMaker execution roles that launch the templates (from access.executionRoleArns). */
  readonly executionRoles: readonly iam.IRole[];
  /** Role path-and-name patterns that launch the templates (from access.rolePatterns). */
  readonly rolePatterns: readonly string[];
  /** The role CloudFormation provisions with: Studio's "Role ARN" field, CreateProject's CfnTemplateProvider.RoleARN. */
  readonly launchRole: iam.IRole;
  /** Name of the managed policy the execution roles need. */
  readonly userPolicyName: string;
}

/** Every template object under `keyPrefix` of the bucket: what Studio's readers are granted. */
export function templateObjectsArn(bucketName: string, keyPrefix: string): string {
  return `arn:${Aws.PARTITION}:s3:::${bucketName}/${keyPrefix}*`;
}

const TEMPLATE_NAME = /^(?=.{1,32}$)[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/**
 * Publishes the product templates as SageMaker Studio S3 templates: each product's synthesized template, as YAML,
 * under `keyPrefix` of the asset bucket, tagged for Studio; the bucket's CORS rule and read access for the execution
 * roles; and the managed policy those roles need to launch (pass and assume the launch role, create the SP-* stacks).
 *
 * The templates are the very ProductStack templates Service Catalog gets, so they reference the seed archives that
 * the ProductStack's BucketDeployment puts into this same bucket: nothing in them is left unpublished.
 */
export class S3TemplatePublication extends Construct {
  /** `s3://<bucket>/<prefix>`: the value of the domain tag sagemaker:projectS3TemplatesLocation. */
  readonly templatesLocation: string;
  /** The bucket and key prefix the templates are under. */
  readonly bucketName: string;
  readonly keyPrefix: string;
  /** Object key of each template, in the order of `props.templates`. */
  readonly templateKeys: string[];
  /** One custom resource per template: copies the staged YAML into the bucket with the Studio tag. */
  readonly templateObjects: AwsCustomResource[];
  /** The Lambda function (CDK's AwsCustomResource singleton, with its role) that makes those copies. */
  readonly copyFunction: IConstruct;
  readonly userPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: S3TemplatePublicationProps) {
    super(scope, id);
    if (props.templates.length === 0) throw new Error('S3TemplatePublication: no template to publish');
    for (const { name } of props.templates) {
      if (!TEMPLATE_NAME.test(name)) throw new Error(`S3 template name "${name}" does not follow CreateProject's TemplateName rule`);
    }
    const { bucket, bucketName, keyPrefix } = props;
    this.bucketName = bucketName;
    this.keyPrefix = keyPrefix;
    this.templatesLocation = `s3://${bucketName}/${keyPrefix}`;
    this.templateKeys = props.templates.map(({ name }) => `${keyPrefix}${name}.yaml`);
    const objectsArn = templateObjectsArn(bucketName, keyPrefix);

    bucket.addCorsRule(STUDIO_CORS_RULE);
    // Listed roles are granted by name, so they read the templates even without the user policy; roles matched by a
    // pattern get the same access from the user policy (within one account, either policy allows).
    const readers = [...props.executionRoles, props.launchRole].map((role) => new iam.ArnPrincipal(role.roleArn));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'StudioListsTemplates',
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      principals: readers,
    }));
    bucket.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'StudioReadsTemplates',
      actions: TEMPLATE_READ_ACTIONS,
      resources: [objectsArn],
      principals: readers,
    }));

    this.userPolicy = new iam.ManagedPolicy(this, 'UserPolicy', {
      managedPolicyName: props.userPolicyName,
      description: 'Lets a SageMaker execution role launch the S3 templates of the SageMaker serverless-inference project template',
      statements: userStatements(bucket, objectsArn, props.launchRole),
      roles: [...props.executionRoles],
    });
    if (props.rolePatterns.length > 0) {
      Annotations.of(this).addWarningV2('sagemaker-projects:s3-templates-pattern-roles',
        `roles matching access.rolePatterns (${props.rolePatterns.join(', ')}) may assume the launch role, but launch S3 templates `
        + `only once the managed policy ${props.userPolicyName} is attached to them (aws iam attach-role-policy; README: "Service Catalog or S3 templates").`);
    }

    // The seed archives the templates reference are copied by the ProductStacks' asset deployment: list no template
    // before they are in place.
    const assetDeployment = bucket.node.tryFindChild('ProductAssetsDeployment');
    this.templateObjects = props.templates.map((source, index) => {
      const key = this.templateKeys[index];
      const staged = new StagedTemplate(this, `Template${index}`, source);
      const object = new AwsCustomResource(this, `TemplateObject${index}`, {
        resourceType: 'Custom::S3TemplateObject',
        // The SDK in the Lambda runtime: no download from npm at deploy time.
        installLatestAwsSdk: false,
        onCreate: copyTemplate(bucketName, key, staged, source.versionLabel),
        onUpdate: copyTemplate(bucketName, key, staged, source.versionLabel),
        // Studio stops listing a template whose product is removed; earlier versions stay in the versioned bucket.
        onDelete: { service: 'S3', action: 'DeleteObject', parameters: { Bucket: bucketName, Key: key } },
        policy: AwsCustomResourcePolicy.fromStatements([
          new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [staged.objectArn] }),
          // CopyObject with a tag set needs s3:PutObjectTagging too (Amazon S3 API reference, CopyObject: "Tagging").
          new iam.PolicyStatement({
            actions: ['s3:PutObject', 's3:PutObjectTagging', 's3:DeleteObject'],
            resources: [`arn:${Aws.PARTITION}:s3:::${bucketName}/${key}`],
          }),
        ]),
      });
      if (assetDeployment) object.node.addDependency(assetDeployment);
      output(this, `TemplateUrl${index}`, `S3TemplateUrl${pascalCase(source.name)}`, {
        description: `TemplateURL of the ${source.name} S3 template (CreateProject TemplateProviders[].CfnTemplateProvider)`,
        value: `https://${bucketName}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}/${key}`,
      });
      return object;
    });

    // Every AwsCustomResource of a stack runs in one singleton function; its role is the custom resources' grant principal.
    this.copyFunction = (this.templateObjects[0].grantPrincipal as iam.Role).node.scope!;

    output(this, 'TemplatesLocation', 'S3TemplatesLocation', {
      description: `Value of the Studio domain tag ${S3_TEMPLATES_LOCATION_TAG}`,
      value: this.templatesLocation,
    });
    // The one-time domain step, with this deployment's values (README: "Service Catalog or S3 templates").
    output(this, 'DomainTagCommand', 'S3TemplatesDomainTagCommand', {
      description: 'Tag the Studio domain once (replace <domain-id>) so that Studio lists these templates',
      value: `aws sagemaker add-tags --resource-arn arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/<domain-id> `
        + `--tags Key=${S3_TEMPLATES_LOCATION_TAG},Value=${this.templatesLocation}`,
    });
    output(this, 'LaunchRoleArn', 'S3TemplatesLaunchRoleArn', {
      description: 'Role ARN to give when creating a project from these templates (Studio "Role ARN", CfnTemplateProvider.RoleARN)',
      value: props.launchRole.roleArn,
    });
    output(this, 'UserPolicyArn', 'S3TemplatesUserPolicyArn', {
      description: 'Attach to every SageMaker execution role that launches these templates (listed execution roles have it)',
      value: this.userPolicy.managedPolicyArn,
    });
  }
}

/**
 * What an execution role needs to launch an S3 template, after AWS's sample (s3_templates/sample-templates/README.md,
 * "2a. Additional Permissions" and iam/cfn-stack-sm-projects.json): pass the launch role to CloudFormation, create and
 * manage the SP-* project stacks, and read the templates.
 */
function userStatements(bucket: s3.IBucket, objectsArn: string, launchRole: iam.IRole): iam.PolicyStatement[] {
  const projectStacks = regionalArn('cloudformation', `stack/${S3_TEMPLATE_STACK_PREFIX}*`);
  return [
    new iam.PolicyStatement({ sid: 'ListTemplates', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    new iam.PolicyStatement({ sid: 'ReadTemplates', actions: TEMPLATE_READ_ACTIONS, resources: [objectsArn] }),
    new iam.PolicyStatement({
      sid: 'PassLaunchRole',
      actions: ['iam:PassRole'],
      resources: [launchRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }),
    new iam.PolicyStatement({ sid: 'AssumeLaunchRole', actions: ['sts:AssumeRole'], resources: [launchRole.roleArn] }),
    new iam.PolicyStatement({
      sid: 'ProjectStacks',
      actions: [
        'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack',
        'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents',
      ],
      resources: [projectStacks],
    }),
    new iam.PolicyStatement({
      sid: 'TagProjectStacks',
      actions: ['cloudformation:TagResource', 'cloudformation:UntagResource'],
      resources: [projectStacks],
      conditions: { Null: { [`aws:ResourceTag/${PROJECT_NAME_TAG}`]: 'false' } },
    }),
    // Studio reads a template's parameters before the launch form; neither action has resource-level permissions.
    new iam.PolicyStatement({
      sid: 'InspectTemplates',
      actions: ['cloudformation:GetTemplateSummary', 'cloudformation:ValidateTemplate'],
      resources: ['*'],
    }),
  ];
}

/** A stack output under a fixed name: the README and the platform team's scripts refer to it. */
function output(scope: Construct, id: string, name: string, props: CfnOutputProps): void {
  new CfnOutput(scope, id, props).overrideLogicalId(name);
}

const pascalCase = (name: string) => name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

/** The CopyObject call that puts the staged YAML at `key` with the Studio tag (replacing any tags and metadata). */
function copyTemplate(bucketName: string, key: string, staged: StagedTemplate, versionLabel: string) {
  return {
    service: 'S3',
    action: 'CopyObject',
    parameters: {
      Bucket: bucketName,
      Key: key,
      CopySource: staged.copySource,
      // The tag set is URL-encoded query parameters (Amazon S3 API reference, CopyObject: x-amz-tagging).
      Tagging: new URLSearchParams({ [STUDIO_VISIBILITY_TAG]: 'true' }).toString(),
      TaggingDirective: 'REPLACE',
      MetadataDirective: 'REPLACE',
      ContentType: 'application/yaml',
      Metadata: { 'version-label': versionLabel },
    },
    // A new staged object (a changed template) is a new copy of the same key: the physical id stays the key.
    physicalResourceId: PhysicalResourceId.of(key),
    outputPaths: ['VersionId'],
  };
}

/** What a staged location reads as before synthesis; a test proves no synthesized template holds it. */
export const NOT_STAGED = 'not-staged-before-synthesis';

/**
 * The YAML of one product template, written into the cloud assembly and staged as a file asset of the parent stack
 * (the bootstrap bucket, like the ProductStack's own JSON). The ProductStack writes its template while the app is
 * synthesized, so the YAML is made then too: this construct is created after the product stacks, and CDK synthesizes
 * children in order, before their parent stack's template is rendered with the staged location.
 */
class StagedTemplate extends Construct {
  /** `<bootstrap bucket>/<key>` of the staged YAML, for CopyObject's CopySource. */
  readonly copySource: string;
  readonly objectArn: string;
  private location?: FileAssetLocation;

  constructor(scope: Construct, id: string, source: S3TemplateSource) {
    super(scope, id);
    const parent = Stack.of(this);
    // Uncached: CDK resolves every token once before synthesis (to find cross-stack references), when nothing is
    // staged yet; the templates are rendered after onSynthesize below, and only that rendering is deployed.
    const staged = (render: (location: FileAssetLocation) => string) => Lazy.uncachedString({
      produce: () => this.location ? render(this.location) : NOT_STAGED,
    });
    this.copySource = staged((location) => `${location.bucketName}/${location.objectKey}`);
    this.objectArn = staged((location) => `arn:${Aws.PARTITION}:s3:::${location.bucketName}/${location.objectKey}`);

    attachCustomSynthesis(this, {
      onSynthesize: (session) => {
        const productTemplate = path.join(session.outdir, source.productStack.templateFile);
        if (!fs.existsSync(productTemplate)) {
          throw new Error(`${this.node.path}: ${source.productStack.templateFile} is not synthesized yet (create the publication after the product stacks)`);
        }
        const yaml = cloudFormationYaml(JSON.parse(fs.readFileSync(productTemplate, 'utf8')), [
          `SageMaker Studio S3 template "${source.name}" ${source.versionLabel}.`,
          `Generated by cdk synth from the product stack ${source.productStack.node.path} (the template a Service Catalog product gets): do not edit.`,
        ]);
        const fileName = source.productStack.templateFile.replace(/\.product\.template\.json$/, '.s3.template.yaml');
        fs.writeFileSync(path.join(session.outdir, fileName), yaml);
        this.location = parent.synthesizer.addFileAsset({
          packaging: FileAssetPackaging.FILE,
          sourceHash: crypto.createHash('sha256').update(yaml).digest('hex'),
          fileName,
          displayName: `${this.node.path} S3 template`,
        });
      },
    });
  }
}
