import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { edgeHandlerFrom, isEdgeResponse, readEdgeSource, toEdgeEvent } from '../../cdn/edge/load.js';
import { RegistrySiteStack, type RegistrySiteStackProps } from '../../infra/cdk/stack.js';

/**
 * The CDK app, synthesized offline (no AWS account, no network): what gets deployed serves the tree the
 * builder writes, with the same edge function and headers as the local CDN.
 */
function synth(props: RegistrySiteStackProps = {}): { stack: RegistrySiteStack; template: Template } {
  const app = new App({ analyticsReporting: false });
  const stack = new RegistrySiteStack(app, 'Test', props);
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Type: string; Properties: Record<string, unknown> };

function only(template: Template, type: string): Resource {
  const found = Object.values(template.findResources(type)) as Resource[];
  assert.equal(found.length, 1, `one ${type}`);
  return found[0] as Resource;
}

const { stack, template } = synth();

describe('CDK stack: the read side on AWS', () => {
  it('deploys cdn/edge/viewer-request.js byte for byte as a cloudfront-js-2.0 viewer-request function', () => {
    const fn = only(template, 'AWS::CloudFront::Function');
    const config = fn.Properties['FunctionConfig'] as { Runtime: string };
    assert.equal(config.Runtime, 'cloudfront-js-2.0');
    const code = fn.Properties['FunctionCode'] as string;
    assert.equal(code, readEdgeSource());
    // The deployed code maps official URLs: evaluate what the template carries, not the file.
    const handler = edgeHandlerFrom(code);
    const mapped = handler(toEdgeEvent('GET', '/v0.1/servers/io.github.alice%2Fweather/versions/latest'));
    assert.ok(!isEdgeResponse(mapped));
    assert.equal(mapped.uri, '/servers/io.github.alice/weather/latest.json');

    const distribution = only(template, 'AWS::CloudFront::Distribution');
    const config2 = distribution.Properties['DistributionConfig'] as {
      DefaultCacheBehavior: { FunctionAssociations: { EventType: string }[] };
    };
    assert.deepEqual(
      config2.DefaultCacheBehavior.FunctionAssociations.map((a) => a.EventType),
      ['viewer-request'],
    );
  });

  it('keeps the bucket private: blocked public access, TLS only, read and list for this distribution alone', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            NoncurrentVersionExpiration: { NoncurrentDays: 7 },
            ExpiredObjectDeleteMarker: true,
            Status: 'Enabled',
          }),
        ]),
      },
    });
    const policy = only(template, 'AWS::S3::BucketPolicy');
    const statements = (policy.Properties['PolicyDocument'] as { Statement: Record<string, unknown>[] })
      .Statement;
    // TLS enforced for everyone.
    assert.ok(
      statements.some(
        (s) =>
          s['Effect'] === 'Deny' &&
          JSON.stringify(s['Condition']) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    );
    // CloudFront may read and list (a missing key is then a 404, not a 403), only for this distribution.
    const cdn = statements.filter((s) => JSON.stringify(s['Principal']).includes('cloudfront.amazonaws.com'));
    const actions = cdn.flatMap((s) => [s['Action']].flat());
    assert.deepEqual(actions.sort(), ['s3:GetObject', 's3:ListBucket']);
    for (const s of cdn) assert.match(JSON.stringify(s['Condition']), /AWS:SourceArn/);
    assert.ok(!statements.some((s) => s['Effect'] === 'Allow' && s['Principal'] === '*'));
  });

  it('caches by the rewritten path alone and takes lifetimes from each object', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: {
        MinTTL: 0,
        DefaultTTL: 60,
        MaxTTL: 365 * 86_400,
        ParametersInCacheKeyAndForwardedToOrigin: {
          QueryStringsConfig: { QueryStringBehavior: 'none' },
          HeadersConfig: { HeaderBehavior: 'none' },
          CookiesConfig: { CookieBehavior: 'none' },
          EnableAcceptEncodingGzip: true,
          EnableAcceptEncodingBrotli: true,
        },
      },
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.json',
        HttpVersion: 'http2and3',
        DefaultCacheBehavior: Match.objectLike({
          AllowedMethods: ['GET', 'HEAD', 'OPTIONS'],
          CachedMethods: ['GET', 'HEAD'],
          ViewerProtocolPolicy: 'redirect-to-https',
          Compress: true,
        }),
      }),
    });
  });

  it('answers CORS like the official registry and 404s with the problem+json document', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        CorsConfig: Match.objectLike({
          AccessControlAllowOrigins: { Items: ['*'] },
          AccessControlAllowMethods: { Items: ['GET', 'HEAD', 'OPTIONS'] },
          AccessControlAllowCredentials: false,
          OriginOverride: true,
        }),
        CustomHeadersConfig: {
          Items: [{ Header: 'Vary', Value: 'Accept, Accept-Encoding', Override: true }],
        },
      }),
    });
    const distribution = only(template, 'AWS::CloudFront::Distribution');
    const config = distribution.Properties['DistributionConfig'] as {
      CustomErrorResponses: Record<string, unknown>[];
      CacheBehaviors: { PathPattern: string; FunctionAssociations?: unknown }[];
    };
    assert.deepEqual(config.CustomErrorResponses, [
      {
        ErrorCode: 404,
        ResponseCode: 404,
        ResponsePagePath: '/errors/not-found.json',
        ErrorCachingMinTTL: 10,
      },
    ]);
    // The error document is fetched as it is: its path has a behaviour without the function.
    const errors = config.CacheBehaviors.find((b) => b.PathPattern === '/errors/*');
    assert.ok(errors, 'a behaviour for /errors/*');
    assert.equal(errors.FunctionAssociations, undefined);
  });

  it('gives the builder exactly what it does: objects, listing, invalidations', () => {
    const policy = only(template, 'AWS::IAM::ManagedPolicy');
    const statements = (policy.Properties['PolicyDocument'] as { Statement: { Action: string | string[] }[] })
      .Statement;
    assert.deepEqual(
      statements.map((s) => [s.Action].flat().sort()),
      [
        ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
        ['s3:ListBucket'],
        ['cloudfront:CreateInvalidation'],
      ],
    );
    // Invalidations only on this distribution.
    const distributionId = Object.keys(template.findResources('AWS::CloudFront::Distribution'))[0] as string;
    const invalidate = statements[2] as unknown as { Resource: unknown };
    assert.match(
      JSON.stringify(invalidate.Resource),
      new RegExp(`:distribution/".*"Ref":"${distributionId}"`),
    );
    const outputs = template.findOutputs('*');
    for (const name of [
      'BucketName',
      'DistributionId',
      'ReadUrl',
      'BuilderPolicyArn',
      'BuilderEnvironment',
    ]) {
      assert.ok(outputs[name], `output ${name}`);
    }
  });

  it('synthesizes without warnings or errors', () => {
    const annotations = Annotations.fromStack(stack);
    assert.deepEqual(annotations.findWarning('*', Match.anyValue()), []);
    assert.deepEqual(annotations.findError('*', Match.anyValue()), []);
  });
});

describe('CDK stack options', () => {
  it('serves a prefix of the bucket and scopes the builder to it', () => {
    const { template } = synth({ prefix: '/registry/' });
    const distribution = only(template, 'AWS::CloudFront::Distribution');
    assert.match(JSON.stringify(distribution.Properties), /"OriginPath":"\/registry"/);
    const policy = JSON.stringify(only(template, 'AWS::IAM::ManagedPolicy').Properties);
    assert.match(policy, /\/registry\/\*"/);
    assert.match(policy, /"s3:prefix":\["registry\/\*","registry"\]/);
  });

  it('uses a custom domain with its certificate and TLS 1.2, and refuses a domain without one', () => {
    const certificateArn =
      'arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
    const { template } = synth({ domainNames: ['registry.example.org'], certificateArn });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['registry.example.org'],
        ViewerCertificate: Match.objectLike({
          AcmCertificateArn: certificateArn,
          MinimumProtocolVersion: 'TLSv1.2_2021',
        }),
      }),
    });
    assert.throws(() => synth({ domainNames: ['registry.example.org'] }), /certificateArn/);
  });
});
