/** The file name the config tests parse under, and a small valid configuration both config suites vary. */
export const FILE = 'portfolio.yaml';
export const VALID = `
portfolio:
  displayName: Portfolio
  providerName: Platform
  description: Templates
product:
  name: Product
  owner: Platform
  description: The product
  versionLabel: v1
access:
  executionRoleArns:
    - arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole
  rolePatterns:
    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*
tags:
  team: ml
`;
