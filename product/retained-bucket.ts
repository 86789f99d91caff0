import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

/** How long a replaced or deleted object version stays recoverable, unless the bucket sets its own rule. */
export const REPLACED_VERSION_RETENTION = Duration.days(30);

/**
 * The properties every bucket this template creates shares: encrypted, TLS-only,
 * private, versioned, and kept when its stack is deleted, because launched
 * projects and registered models keep pointing at the objects inside.
 *
 * Versioning keeps every replaced object, so the bucket also gets a lifecycle rule that expires
 * noncurrent versions (current objects never expire) and abandoned multipart uploads
 * (Control Tower CT.S3.PR.3 / CT.S3.PR.6). A bucket may pass its own `lifecycleRules` instead.
 */
export const RETAINED_PRIVATE_BUCKET: Readonly<s3.BucketProps> = {
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
  versioned: true,
  lifecycleRules: [{
    id: 'ExpireReplacedVersions',
    noncurrentVersionExpiration: REPLACED_VERSION_RETENTION,
    abortIncompleteMultipartUploadAfter: Duration.days(7),
  }],
  removalPolicy: RemovalPolicy.RETAIN,
};
