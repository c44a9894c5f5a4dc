import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RegistrySite, type RegistrySiteProps } from './site.js';

export { NOT_FOUND_TTL_SECONDS } from './site.js';

/**
 * The read side alone on AWS (`-c stack=site`): the bucket, the CloudFront distribution with the
 * edge function, and the one IAM policy the builder needs. The API, the builder and PostgreSQL run
 * wherever the operator runs processes. The whole registry on AWS is registry-stack.ts.
 */
export type RegistrySiteStackProps = StackProps & Omit<RegistrySiteProps, 'api'>;

export class RegistrySiteStack extends Stack {
  readonly site: RegistrySite;
  readonly bucket;
  readonly distribution;
  readonly builderPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: RegistrySiteStackProps = {}) {
    super(scope, id, props);
    this.site = new RegistrySite(this, 'Site', props);
    this.bucket = this.site.bucket;
    this.distribution = this.site.distribution;
    this.builderPolicy = new iam.ManagedPolicy(this, 'BuilderPolicy', {
      description: 'The MCP static registry builder: write the tree and invalidate the CDN',
      statements: this.site.builderStatements(),
    });

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
    new CfnOutput(this, 'ReadUrl', { value: `https://${this.distribution.distributionDomainName}` });
    new CfnOutput(this, 'BuilderPolicyArn', { value: this.builderPolicy.managedPolicyArn });
    new CfnOutput(this, 'BuilderEnvironment', {
      description: 'Environment for `mcp-registry builder` (plus DATABASE_URL and SITE_SIGNING_KEY)',
      value: [
        `S3_BUCKET=${this.bucket.bucketName}`,
        `S3_PREFIX=${this.site.prefix}`,
        `S3_REGION=${this.region}`,
        `CLOUDFRONT_DISTRIBUTION_ID=${this.distribution.distributionId}`,
      ].join(' '),
    });
  }
}
