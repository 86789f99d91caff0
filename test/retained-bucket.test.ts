import { CfnTemplate, readTemplate, resourcesOfType, templateFiles } from './synthesized-app';

/** [template file, logical id, bucket] for every S3 bucket in every synthesized template. */
function everyBucket(): Array<[string, string, CfnTemplate['Resources'][string], CfnTemplate]> {
  return templateFiles().flatMap((file) => {
    const template = readTemplate(file);
    return resourcesOfType(template, 'AWS::S3::Bucket').map(([id, bucket]) => [file, id, bucket, template] as [string, string, any, CfnTemplate]);
  });
}

describe('RETAINED_PRIVATE_BUCKET', () => {
  test('the portfolio and both products each create a bucket', () => {
    expect(everyBucket().map(([file]) => file)).toEqual(templateFiles());
  });

  test.each(everyBucket().map(([file, id, bucket, template]) => [`${file} ${id}`, bucket, id, template]))(
    '%s is encrypted, private, versioned and retained when its stack is deleted',
    (_name, bucket: any) => {
      const props = bucket.Properties;
      expect(props.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
      expect(props.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(props.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      expect(props.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.UpdateReplacePolicy).toBe('Retain');
    },
  );

  test.each(everyBucket().map(([file, id, , template]) => [`${file} ${id}`, id, template]))(
    '%s refuses requests that do not use TLS',
    (_name, id: string, template: CfnTemplate) => {
      const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy')
        .filter(([, policy]) => policy.Properties.Bucket?.Ref === id);
      expect(policies).toHaveLength(1);
      expect(policies[0][1].Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
        Effect: 'Deny',
        Action: 's3:*',
        Principal: { AWS: '*' },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }));
    },
  );
});
