import { Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { InferenceServiceStack } from './inference-service-stack';
import { Params } from './template-contract';

/**
 * Every cdk-nag finding this app accepts, each on the one construct it concerns and with its
 * reason. This is the only place findings are acknowledged; anything not listed here fails
 * `npm run synth` and the tests.
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
}
