import { App } from 'aws-cdk-lib';
import { PriceClass } from 'aws-cdk-lib/aws-cloudfront';
import { RegistrySiteStack } from './stack.js';

/**
 * The CDK app: `npm run cdk -- synth|diff|deploy [-c key=value …]`. Context keys (all optional):
 * `stackName` (default McpRegistrySite), `prefix` (the builder's S3_PREFIX), `domainNames`
 * (comma-separated) with `certificateArn` (ACM, us-east-1), `priceClass` (100, 200 or All).
 */
const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
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

new RegistrySiteStack(app, context('stackName') ?? 'McpRegistrySite', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  prefix: context('prefix'),
  domainNames: context('domainNames')
    ?.split(',')
    .map((name) => name.trim()),
  certificateArn: context('certificateArn'),
  ...(priceClass ? { priceClass: priceClasses[priceClass] } : {}),
});
