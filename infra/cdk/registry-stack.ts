import { fileURLToPath } from 'node:url';
import { CfnOutput, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { RegistryAlarms } from './alarms.js';
import { RegistryDatabase, type RegistryDatabaseProps } from './database.js';
import { API_ORIGIN_ID } from './edge-code.js';
import { Migration } from './migration.js';
import type { SecretSources } from './services.js';
import { RegistryServices } from './services.js';
import { SIGN_IN_SETTINGS } from './settings.js';
import { RegistrySite } from './site.js';

export interface RegistryStackProps extends StackProps {
  /** The one image (Dockerfile); default built from this repository at deploy time. */
  image?: ecs.ContainerImage;
  /** Key prefix inside the bucket; default none. */
  prefix?: string;
  domainNames?: string[];
  certificateArn?: string;
  priceClass?: cloudfront.PriceClass;
  database?: Omit<RegistryDatabaseProps, 'vpc'>;
  /** NAT gateways for the tasks' way out (ECR, S3, Secrets Manager, CloudWatch); default 1. */
  natGateways?: number;
  apiMinTasks?: number;
  apiMaxTasks?: number;
  builderTasks?: number;
  alarmEmail?: string;
  /**
   * How CloudFront learns of a build: `ttl` (default) lets mutable documents expire by their 60 s
   * Cache-Control; `paths` has the builder invalidate every changed path. scripts/cost.ts does the
   * arithmetic: per path costs more than the rest of the stack at the official registry's size.
   */
  invalidation?: 'ttl' | 'paths';
}

/** CloudFront's origin-facing addresses, as an AWS-managed prefix list (one per region). */
export const CLOUDFRONT_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * The whole registry on AWS behind one URL: CloudFront serves reads from S3 and sends writes to the
 * API (site.ts); the API and the builder daemon on ECS Fargate, `migrate` run before each rollout
 * (services.ts, migration.ts); PostgreSQL on RDS (database.ts); keys and sign-in settings in Secrets
 * Manager; alarms on build lag and API 5xx (alarms.ts).
 */
export class RegistryStack extends Stack {
  readonly site: RegistrySite;
  readonly database: RegistryDatabase;
  readonly services: RegistryServices;
  readonly migration: Migration;
  readonly alarms: RegistryAlarms;

  constructor(scope: Construct, id: string, props: RegistryStackProps = {}) {
    super(scope, id, props);
    const vpc = new ec2.Vpc(this, 'Network', {
      maxAzs: 2,
      natGateways: props.natGateways ?? 1,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'tasks', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // S3 traffic (the builder's writes) stays off the NAT gateway.
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });

    this.database = new RegistryDatabase(this, 'Database', { vpc, ...props.database });

    const seed = (id: string, description: string) =>
      new secretsmanager.Secret(this, id, {
        description,
        generateSecretString: {
          passwordLength: 64,
          excludeUppercase: true,
          excludePunctuation: true,
          excludeCharacters: 'ghijklmnopqrstuvwxyz',
        },
      });
    const jwtKey = seed('JwtKey', 'JWT_PRIVATE_KEY: Ed25519 seed of registry tokens (64 hex)');
    const siteKey = seed('SiteSigningKey', 'SITE_SIGNING_KEY: Ed25519 seed of the site signatures (64 hex)');
    // Empty fields mean "off" (or the default) to loadConfig; fill them in to turn sign-in on.
    const signIn = new secretsmanager.Secret(this, 'SignIn', {
      description: 'Sign-in settings of the MCP registry API (fill in; empty means off)',
      secretObjectValue: Object.fromEntries(
        SIGN_IN_SETTINGS.map((k) => [k, SecretValue.unsafePlainText('')]),
      ),
    });
    const secrets: Partial<SecretSources> = {
      DATABASE_URL: { secret: this.database.databaseUrl },
      JWT_PRIVATE_KEY: { secret: jwtKey },
      SITE_SIGNING_KEY: { secret: siteKey },
    };
    for (const name of SIGN_IN_SETTINGS) secrets[name] = { secret: signIn, field: name };

    const prefixList = new cr.AwsCustomResource(this, 'CloudFrontPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST] }] },
        physicalResourceId: cr.PhysicalResourceId.of(`${CLOUDFRONT_PREFIX_LIST}-${this.region}`),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });

    this.services = new RegistryServices(this, 'Services', {
      vpc,
      image:
        props.image ??
        // Built for the tasks' architecture whatever machine deploys (an arm64 laptop included).
        ecs.ContainerImage.fromAsset(fileURLToPath(new URL('../..', import.meta.url)), {
          platform: Platform.LINUX_AMD64,
        }),
      secrets: secrets as SecretSources,
      cloudFrontPrefixListId: prefixList.getResponseField('PrefixLists.0.PrefixListId'),
      apiMinTasks: props.apiMinTasks,
      apiMaxTasks: props.apiMaxTasks,
      builderTasks: props.builderTasks,
    });
    this.site = new RegistrySite(this, 'Site', {
      prefix: props.prefix,
      domainNames: props.domainNames,
      certificateArn: props.certificateArn,
      priceClass: props.priceClass,
      // CloudFront reaches the internal ALB inside AWS's network: plain HTTP, no certificate to manage.
      api: origins.VpcOrigin.withApplicationLoadBalancer(this.services.alb, {
        originId: API_ORIGIN_ID,
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      }),
    });
    const invalidate = (props.invalidation ?? 'ttl') === 'paths';
    const builder = this.services.addBuilder(
      {
        S3_BUCKET: this.site.bucket.bucketName,
        S3_PREFIX: this.site.prefix,
        S3_REGION: this.region,
        ...(invalidate ? { CLOUDFRONT_DISTRIBUTION_ID: this.site.distribution.distributionId } : {}),
      },
      this.site.builderStatements(invalidate),
    );
    this.database.allowFrom(this.services.taskSecurityGroup, 'registry tasks (API, builder, migrate)');

    this.migration = new Migration(this, 'Migrate', {
      cluster: this.services.cluster,
      task: this.services.migrateTask,
      securityGroup: this.services.taskSecurityGroup,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });
    // The task needs the database, and the routes through the NAT gateway (image pull, secrets).
    this.migration.node.addDependency(this.database.instance, vpc);
    this.services.api.node.addDependency(this.migration);
    builder.node.addDependency(this.migration);

    const url = `https://${this.site.distribution.distributionDomainName}`;
    this.alarms = new RegistryAlarms(this, 'Alarms', {
      healthUrl: `${url}/v0/health`,
      alb: this.services.alb,
      email: props.alarmEmail,
    });

    new CfnOutput(this, 'RegistryUrl', { value: url, description: 'Reads and writes: the one URL' });
    new CfnOutput(this, 'DistributionId', { value: this.site.distribution.distributionId });
    new CfnOutput(this, 'BucketName', { value: this.site.bucket.bucketName });
    new CfnOutput(this, 'SignInSecretArn', {
      value: signIn.secretArn,
      description: `Fill in ${SIGN_IN_SETTINGS.join(', ')}; then redeploy the API service`,
    });
    new CfnOutput(this, 'JwtKeySecretArn', {
      value: jwtKey.secretArn,
      description: 'JWT_PRIVATE_KEY: with it, `mcp-registry token --admin` mints an operator token anywhere',
    });
    new CfnOutput(this, 'ClusterName', { value: this.services.cluster.clusterName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
