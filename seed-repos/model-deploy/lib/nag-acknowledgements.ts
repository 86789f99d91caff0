import { Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { CfnAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { InferenceServiceStack } from './inference-service-stack';
import { Params } from './template-contract';

/**
 * Every validation finding this app accepts (cdk-nag, and CDK's built-in CloudFormation
 * validation), each on the construct it concerns and with its reason. This is the only place
 * findings are acknowledged; a cdk-nag finding not listed here fails `npm run synth` and the tests.
 */
export function acknowledgeNagFindings(stack: InferenceServiceStack): void {
  const predictRoute = stack.api.node
    .findAll()
    .find((c): c is CfnRoute => c instanceof CfnRoute && c.routeKey === 'POST /predict');
  if (!predictRoute) {
    throw new Error('acknowledgeNagFindings: the POST /predict route was not found');
  }
  Validations.of(predictRoute).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason:
      `AuthorizationType is Fn::If on the ${Params.allowUnauthenticated} parameter: AWS_IAM (SigV4) by default, ` +
      'NONE only when a stage configuration explicitly sets allowUnauthenticated: true (documented opt-in). ' +
      'cdk-nag cannot evaluate the condition.',
  });
  for (const alarm of Object.values(stack.alarms)) {
    Validations.of(alarm.node.defaultChild as CfnAlarm).acknowledge({
      id: 'CloudFormation-Validate::W1030',
      reason:
        `AlarmActions/OKActions are Fn::If on ${Params.notificationTopicArn} being non-empty: the empty default ` +
        'means "no actions" (the branch with the topic is never taken), which the validator does not evaluate.',
    });
  }
}
