import { App } from 'aws-cdk-lib';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { RegistryStack } from './registry-stack.js';
import { RegistrySiteStack } from './stack.js';

/**
 * The CDK app: `npm run cdk -- synth|diff|deploy [-c key=value …]`, or `npm run infra:synth` (offline,
 * no AWS account). By default the whole registry (registry-stack.ts); `-c stack=site` deploys the read
 * side alone (stack.ts). Context keys (all optional):
 * - both: `stackName`, `prefix` (the builder's S3_PREFIX), `domainNames` (comma-separated) with
 *   `certificateArn` (ACM, us-east-1), `priceClass` (100, 200 or All);
 * - the whole registry: `image` (an image URI; default built from this repository's Dockerfile),
 *   `multiAz` (true), `dbInstanceType` (e.g. t4g.small), `natGateways`, `apiMinTasks`, `apiMaxTasks`,
 *   `builderTasks` (1 or 2), `alarmEmail`, `invalidation` (`ttl`, the default, or `paths`).
 */
function invalidation(value: string | undefined): 'ttl' | 'paths' | undefined {
  if (value === undefined || value === 'ttl' || value === 'paths') return value;
  throw new Error(`invalidation must be ttl or paths, not ${JSON.stringify(value)}`);
}

export function createApp(app: App = new App()): App {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const count = (key: string): number | undefined => {
    const value = context(key);
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`${key} must be a whole number, not ${JSON.stringify(value)}`);
    return Number(value);
  };

  const priceClasses: Record<string, PriceClass> = {
    '100': PriceClass.PRICE_CLASS_100,
    '200': PriceClass.PRICE_CLASS_200,
    All: PriceClass.PRICE_CLASS_ALL,
  };
  const priceClass = context('priceClass');
  if (priceClass !== undefined && !priceClasses[priceClass]) {
    throw new Error(`priceClass must be 100, 200 or All, not ${JSON.stringify(priceClass)}`);
  }
  const common = {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    prefix: context('prefix'),
    domainNames: context('domainNames')
      ?.split(',')
      .map((name) => name.trim()),
    certificateArn: context('certificateArn'),
    ...(priceClass ? { priceClass: priceClasses[priceClass] } : {}),
  };

  const which = context('stack') ?? 'registry';
  if (which === 'site') {
    new RegistrySiteStack(app, context('stackName') ?? 'McpRegistrySite', common);
  } else if (which === 'registry') {
    const image = context('image');
    const dbInstanceType = context('dbInstanceType');
    new RegistryStack(app, context('stackName') ?? 'McpRegistry', {
      ...common,
      ...(image ? { image: ecs.ContainerImage.fromRegistry(image) } : {}),
      database: {
        multiAz: context('multiAz') === 'true',
        ...(dbInstanceType ? { instanceType: new ec2.InstanceType(dbInstanceType) } : {}),
      },
      natGateways: count('natGateways'),
      apiMinTasks: count('apiMinTasks'),
      apiMaxTasks: count('apiMaxTasks'),
      builderTasks: count('builderTasks'),
      alarmEmail: context('alarmEmail'),
      invalidation: invalidation(context('invalidation')),
    });
  } else {
    throw new Error(`stack must be registry or site, not ${JSON.stringify(which)}`);
  }
  return app;
}

if (process.argv[1] && import.meta.filename === process.argv[1]) createApp();
