import { RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/**
 * The properties every bucket this template creates shares: encrypted, TLS-only,
 * private, versioned, and kept when its stack is deleted, because launched
 * projects and registered models keep pointing at the objects inside.
 */
export const RETAINED_PRIVATE_BUCKET: Readonly<s3.BucketProps> = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  removalPolicy: RemovalPolicy.RETAIN,
};
