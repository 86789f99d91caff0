import { Aws } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * A CodePipeline CloudFormation create/update action that grants the pipeline role each call on
 * the resource it can match. CDK's action grants `cloudformation:ValidateTemplate` on the stack
 * ARN, but ValidateTemplate has no resource-level permissions (Service Authorization Reference:
 * only `Resource: "*"` matches it), so that grant can never allow anything. Here CDK's own grants
 * are made against a view of the role that ignores them, and the same calls are granted instead.
 */
export class StackDeployAction extends actions.CloudFormationCreateUpdateStackAction {
  constructor(private readonly deployProps: actions.CloudFormationCreateUpdateStackActionProps) {
    super(deployProps);
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const role = options.role;
    if (!(role instanceof iam.Role)) throw new Error('StackDeployAction runs as the pipeline role, which must be an iam.Role');
    const config = super.bound(scope, stage, { ...options, role: role.withoutPolicyUpdates() });

    const stack = `arn:${Aws.PARTITION}:cloudformation:${Aws.REGION}:${Aws.ACCOUNT_ID}:stack/${this.deployProps.stackName}/*`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'cloudformation:DescribeStack*', 'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:GetTemplate*',
        'cloudformation:GetStackPolicy', 'cloudformation:SetStackPolicy',
        ...(this.deployProps.replaceOnFailure ? ['cloudformation:DeleteStack'] : []),
      ],
      resources: [stack],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudformation:ValidateTemplate'], resources: ['*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.deploymentRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    }));
    options.bucket.grantRead(role);
    return config;
  }
}
