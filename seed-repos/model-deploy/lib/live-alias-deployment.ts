import { RemovalPolicy } from 'aws-cdk-lib';
import { LambdaApplication, LambdaDeploymentConfig, LambdaDeploymentGroup } from 'aws-cdk-lib/aws-codedeploy';
import { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Alias, Function as LambdaFunction, Version } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** Props of {@link LiveAliasDeployment}. */
export interface LiveAliasDeploymentProps {
  readonly function: LambdaFunction;
  /**
   * Description of the published version. It must change whenever the function's code or
   * configuration does (see the class comment); it may contain tokens.
   */
  readonly versionDescription: string;
  readonly aliasName: string;
  readonly applicationName: string;
  readonly deploymentGroupName: string;
  /** A CodeDeploy predefined Lambda configuration name (may be a parameter). */
  readonly deploymentConfigName: string;
  /** ARN of the role CodeDeploy assumes (created by the project, so this template creates no IAM). */
  readonly codeDeployRoleArn: string;
}

/**
 * A published version of the function, an alias that clients (the API) invoke, and a CodeDeploy
 * deployment group that shifts the alias to each newly published version and rolls back when a
 * rollback alarm goes off or the deployment fails.
 *
 * How a deployment happens: CDK's LambdaDeploymentGroup sets the alias's
 * `UpdatePolicy: CodeDeployLambdaAliasUpdate` (aws-cdk-lib/aws-codedeploy/lib/lambda/deployment-group.js),
 * so when a stack update changes the alias's FunctionVersion, CloudFormation does not update the
 * alias itself but starts a CodeDeploy deployment from the old to the new version and waits for it
 * (CloudFormation User Guide, "UpdatePolicy attribute": CodeDeployLambdaAliasUpdate policy). A failed
 * or rolled-back deployment fails the alias update, and the stack update rolls back.
 *
 * Why the version's Description carries the image tag: a version is published only when the
 * AWS::Lambda::Version resource is created, and CloudFormation creates a new one only when a
 * create-only property changes (its schema's createOnlyProperties: FunctionName, Description,
 * CodeSha256, ...). CDK's `currentVersion` changes the logical id when the function's properties
 * change in the template, but here the image tag and the configuration are template parameters:
 * the template is the same for every deployment, so that hash never changes. A Description built
 * from those parameters changes with every new image or configuration, and so publishes a version;
 * re-running a deployment with the same inputs publishes nothing and starts no traffic shift.
 */
export class LiveAliasDeployment extends Construct {
  readonly version: Version;
  readonly alias: Alias;
  readonly application: LambdaApplication;
  readonly deploymentGroup: LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: LiveAliasDeploymentProps) {
    super(scope, id);
    this.version = new Version(this, 'Version', {
      lambda: props.function,
      description: props.versionDescription,
      // The replaced version is deleted in the cleanup phase of a successful update, when the alias
      // no longer points at it; a failed update rolls back before cleanup and keeps it. Retaining
      // versions would keep billing for SnapStart snapshot caching on each of them.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.alias = new Alias(this, 'Alias', { aliasName: props.aliasName, version: this.version });
    this.application = new LambdaApplication(this, 'Application', { applicationName: props.applicationName });
    this.deploymentGroup = new LambdaDeploymentGroup(this, 'DeploymentGroup', {
      application: this.application,
      deploymentGroupName: props.deploymentGroupName,
      alias: this.alias,
      deploymentConfig: LambdaDeploymentConfig.fromLambdaDeploymentConfigName(this, 'DeploymentConfig', props.deploymentConfigName),
      // Imported immutable: CDK would otherwise attach AWSCodeDeployRoleForLambdaLimited to a role it does not own.
      role: iam.Role.fromRoleArn(this, 'ServiceRole', props.codeDeployRoleArn, { mutable: false }),
      autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
    });
    // The alias update (the deployment) must start only after the rollback alarms watch the new
    // version: alarms -> deployment group -> alias.
    this.alias.node.addDependency(this.deploymentGroup);
  }

  /** CodeDeploy stops and rolls back a deployment while this alarm is in ALARM. */
  addRollbackAlarm(alarm: IAlarm): void {
    this.deploymentGroup.addAlarm(alarm);
  }
}
