import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { createApp } from '../../infra/cdk/app.js';
import { RegistryStack } from '../../infra/cdk/registry-stack.js';

/**
 * The whole stack's options, in one more synthesis: per-path invalidation (the builder then gets its
 * distribution and the one action it needs), Multi-AZ, two builders; and the app's context checks.
 */
const app = new App({ analyticsReporting: false });
const stack = new RegistryStack(app, 'Options', {
  image: ecs.ContainerImage.fromRegistry('example.org/mcp-registry:test'),
  invalidation: 'paths',
  database: { multiAz: true },
  builderTasks: 2,
  apiMinTasks: 3,
});
const template = Template.fromStack(stack);

describe('RegistryStack options', () => {
  it('with per-path invalidation gives the builder its distribution and CreateInvalidation on it alone', () => {
    const [distributionId] = Object.keys(template.findResources('AWS::CloudFront::Distribution'));
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).map((p) => JSON.stringify(p));
    const builder = policies.find((p) => p.includes('cloudfront:CreateInvalidation'));
    assert.ok(builder, 'a policy allows CreateInvalidation');
    assert.match(
      builder,
      new RegExp(
        `"Action":"cloudfront:CreateInvalidation","Effect":"Allow","Resource":\\{"Fn::Join":.*:distribution/".*"Ref":"${distributionId}"`,
      ),
    );
    assert.match(builder, /s3:PutObject/, 'the same role as the tree writes: the builder');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'builder',
          Environment: Match.arrayWith([
            { Name: 'CLOUDFRONT_DISTRIBUTION_ID', Value: { Ref: distributionId } },
          ]),
        }),
      ],
    });
  });

  it('takes Multi-AZ, the builder count and the API minimum', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: true });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2, ServiceName: Match.absent() });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3 });
    assert.throws(
      () =>
        new RegistryStack(new App(), 'Bad', { image: ecs.ContainerImage.fromRegistry('x'), builderTasks: 3 }),
      /builderTasks must be 1 or 2/,
    );
  });

  it('refuses unknown context values before synthesizing anything', () => {
    assert.throws(() => createApp(new App({ context: { stack: 'nope' } })), /stack must be registry or site/);
    assert.throws(
      () => createApp(new App({ context: { invalidation: 'all' } })),
      /invalidation must be ttl or paths/,
    );
    assert.throws(
      () => createApp(new App({ context: { apiMaxTasks: 'many' } })),
      /apiMaxTasks must be a whole number/,
    );
  });
});
