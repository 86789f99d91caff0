/**
 * What CloudFormation's AWS::Logs::LogGroup handlers call to create, update and delete a log group (the
 * handler permissions of its resource provider schema, as cfn-lint ships it): whoever deploys a stack with
 * log groups is granted exactly these on the log groups it may own.
 */
export const LOG_GROUP_HANDLER_ACTIONS = [
  'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy',
  'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource', 'logs:GetDataProtectionPolicy',
  'logs:PutLogGroupDeletionProtection',
];
