import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { type EdgeRequest, edgeHandlerFrom, isEdgeResponse, toEdgeEvent } from '../../cdn/edge/load.js';
import { API_ORIGIN_ID, EDGE_CODE_LIMIT_BYTES } from '../../infra/cdk/edge-code.js';
import { RegistryStack } from '../../infra/cdk/registry-stack.js';
import { SECRETS_BY_ROLE } from '../../infra/cdk/settings.js';

/**
 * The whole registry on AWS, synthesized offline once for this file (synthesis is CPU-heavy): one
 * URL whose reads come from the bucket and whose writes reach the API, and the security properties
 * the deployment promises, read from the CloudFormation template itself.
 */
const app = new App({ analyticsReporting: false });
const stack = new RegistryStack(app, 'Registry', {
  image: ecs.ContainerImage.fromRegistry('example.org/mcp-registry:test'),
});
const template = Template.fromStack(stack);
const json = template.toJSON() as { Resources: Record<string, Resource> };

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Behavior = {
  PathPattern?: string;
  TargetOriginId: string;
  AllowedMethods: string[];
  CachePolicyId: unknown;
  OriginRequestPolicyId?: unknown;
  ViewerProtocolPolicy: string;
  FunctionAssociations?: { EventType: string }[];
};

function ofType(type: string): [string, Resource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}
function only(type: string): [string, Resource] {
  const found = ofType(type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0] as [string, Resource];
}
const refOf = (id: string) => JSON.stringify({ Ref: id });

const [, distribution] = only('AWS::CloudFront::Distribution');
const config = distribution.Properties['DistributionConfig'] as {
  DefaultCacheBehavior: Behavior;
  CacheBehaviors: Behavior[];
  Origins: { Id: string; S3OriginConfig?: unknown; VpcOriginConfig?: unknown }[];
};
const s3OriginId = config.Origins.find((o) => o.S3OriginConfig)?.Id;

/** CloudFront's path patterns: `*` any characters (`/` too), `?` one; case-sensitive, whole path. */
function matches(pattern: string, path: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(path);
}
/** The behaviour CloudFront picks for a path: the first pattern that matches, else the default. */
function behaviorFor(path: string): Behavior {
  return (
    config.CacheBehaviors.find((b) => matches(b.PathPattern as string, path)) ?? config.DefaultCacheBehavior
  );
}

/** The deployed function, run as CloudFront runs it, with a `cloudfront` module that records origin picks. */
const [, fn] = only('AWS::CloudFront::Function');
const code = fn.Properties['FunctionCode'] as string;
let selected: string | undefined;
const handler = edgeHandlerFrom(code, 'the deployed function', {
  cloudfront: { selectRequestOriginById: (id: string) => (selected = id) },
});
/** Where a request ends up: the API, or the bucket at a key (or an answer from the function itself). */
function route(method: string, path: string, headers: Record<string, string> = {}) {
  selected = undefined;
  const behavior = behaviorFor(path.split('?')[0] as string);
  assert.ok(behavior.AllowedMethods.includes(method), `${method} ${path} is allowed`);
  if (!behavior.FunctionAssociations) {
    return { origin: behavior.TargetOriginId, request: undefined, behavior };
  }
  const result = handler(toEdgeEvent(method, path, headers));
  if (isEdgeResponse(result)) return { origin: 'function', status: result.statusCode, behavior };
  return { origin: selected ?? behavior.TargetOriginId, request: result as EdgeRequest, behavior };
}

describe('RegistryStack: one URL for reads and writes', () => {
  it('deploys the read mapping and the write routing as one cloudfront-js-2.0 function within 10 KB', () => {
    assert.equal((fn.Properties['FunctionConfig'] as { Runtime: string }).Runtime, 'cloudfront-js-2.0');
    assert.ok(Buffer.byteLength(code) <= EDGE_CODE_LIMIT_BYTES, `${Buffer.byteLength(code)} bytes`);
    assert.match(code, /^import cf from 'cloudfront';\n/, 'the helper module is imported on the first line');
    // The origin the function selects is one the distribution has: the API behind the VPC origin.
    const api = config.Origins.find((o) => o.Id === API_ORIGIN_ID);
    assert.ok(api?.VpcOriginConfig, 'the API origin is a VPC origin');
  });

  it('sends every write to the API, uncached, with the viewer headers and body', () => {
    const writes: [string, string][] = [
      ['POST', '/v0/publish'],
      ['POST', '/v0.1/publish'],
      ['POST', '/v0/auth/none'],
      ['POST', '/v0.1/auth/github-oidc'],
      ['POST', '/v0/validate'],
      ['POST', '/v0/verify-domain'],
      ['GET', '/v0/health'],
      ['GET', '/v0.1/ping'],
      ['GET', '/v0/version'],
      ['POST', '/v0/admin/builds'],
      ['GET', '/v0/admin/builds/42'],
      ['PUT', '/v0/servers/io.github.alice%2Fweather/versions/1.0.0'],
      ['PUT', '/v0.1/servers/io.github.alice/weather/versions/1.0.0'],
      ['PATCH', '/v0/servers/io.github.alice%2Fweather/versions/1.0.0/status'],
      ['PATCH', '/v0.1/servers/io.github.alice%2Fweather/status'],
    ];
    for (const [method, path] of writes) {
      const routed = route(method, path, { authorization: 'Bearer t', 'content-type': 'application/json' });
      assert.equal(routed.origin, API_ORIGIN_ID, `${method} ${path} reaches the API`);
      // Nothing rewritten on the way: the API sees the official path, and the token.
      if (routed.request) {
        assert.equal(routed.request.uri, path.split('?')[0]);
        assert.equal(routed.request.headers['authorization']?.value, 'Bearer t');
      }
    }
    // Write-only paths: caching off, every viewer header (Authorization included) and the body forwarded.
    const writeOnly = config.CacheBehaviors.filter((b) => b.TargetOriginId === API_ORIGIN_ID);
    assert.equal(writeOnly.length, 8);
    for (const b of writeOnly) {
      assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'Managed-CachingDisabled');
      assert.equal(
        b.OriginRequestPolicyId,
        'b689b0a8-53d0-40ab-baf2-68738e2966ac',
        'AllViewerExceptHostHeader',
      );
      assert.equal(b.ViewerProtocolPolicy, 'https-only');
      assert.equal(b.AllowedMethods.length, 7);
    }
    // Edits and status changes travel through /v0*/servers/*: Authorization in that policy's key (so it
    // is forwarded at all) and Content-Type forwarded; PUT and PATCH are never cached by CloudFront.
    const servers = behaviorFor('/v0/servers/x');
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({
        ParametersInCacheKeyAndForwardedToOrigin: Match.objectLike({
          HeadersConfig: { HeaderBehavior: 'whitelist', Headers: ['Authorization'] },
          QueryStringsConfig: { QueryStringBehavior: 'none' },
        }),
      }),
    });
    const [originRequestId, originRequest] = only('AWS::CloudFront::OriginRequestPolicy');
    assert.equal(JSON.stringify(servers.OriginRequestPolicyId), refOf(originRequestId));
    assert.deepEqual(
      (originRequest.Properties['OriginRequestPolicyConfig'] as { HeadersConfig: unknown }).HeadersConfig,
      { HeaderBehavior: 'whitelist', Headers: ['Content-Type'] },
    );
  });

  it('serves reads from the bucket through the function, cached by path alone', () => {
    const reads: [string, string][] = [
      ['/v0.1/servers', '/lists/live/first.json'],
      ['/v0/servers?version=latest', '/lists/latest/first.json'],
      [
        '/v0.1/servers/io.github.alice%2Fweather/versions/latest',
        '/servers/io.github.alice/weather/latest.json',
      ],
      ['/v0.1/servers/io.github.alice%2Fweather/versions', '/servers/io.github.alice/weather/index.json'],
      // `*` crosses `/`: a version named like a write path is still a read, because /servers/* comes first.
      [
        '/v0/servers/io.github.alice%2Fweather/versions/publish',
        '/servers/io.github.alice/weather/v/publish.json',
      ],
      [
        '/v0/servers/io.github.alice%2Fweather/versions/health',
        '/servers/io.github.alice/weather/v/health.json',
      ],
      ['/', '/index.json'],
    ];
    for (const [path, key] of reads) {
      const routed = route('GET', path, { authorization: 'Bearer t' });
      assert.equal(routed.origin, s3OriginId, `GET ${path} is a read`);
      assert.equal(routed.request?.uri, key);
      // Reads are public: the header is dropped, so it neither reaches S3 nor splits the cache.
      assert.equal(routed.request?.headers['authorization'], undefined);
      assert.deepEqual(routed.behavior.AllowedMethods.slice(0, 3).sort(), ['GET', 'HEAD', 'OPTIONS']);
    }
    assert.equal(route('OPTIONS', '/v0.1/servers').status, 204, 'preflight answered at the edge');
    // The bucket stays private: reachable only through this distribution's Origin Access Control.
    const [oacId] = only('AWS::CloudFront::OriginAccessControl');
    const s3Origin = config.Origins.find((o) => o.Id === s3OriginId) as Record<string, unknown>;
    assert.match(JSON.stringify(s3Origin['OriginAccessControlId']), new RegExp(oacId));
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    const [, bucketPolicy] = only('AWS::S3::BucketPolicy');
    const grants = JSON.stringify(bucketPolicy.Properties['PolicyDocument']);
    assert.match(grants, /cloudfront\.amazonaws\.com/);
    assert.doesNotMatch(grants, /"Principal":"\*","Action":"s3:GetObject"/);
    const [treeId] = ofType('AWS::CloudFront::CachePolicy').find(([, r]) =>
      JSON.stringify(r.Properties).includes('"HeaderBehavior":"none"'),
    ) as [string, Resource];
    assert.equal(JSON.stringify(config.DefaultCacheBehavior.CachePolicyId), refOf(treeId));
    assert.deepEqual(config.DefaultCacheBehavior.AllowedMethods, ['GET', 'HEAD', 'OPTIONS']);
  });
});

describe('RegistryStack: nothing reachable that should not be', () => {
  it('keeps the ALB internal, reachable only from CloudFront origin-facing addresses', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const [lbId, lb] = only('AWS::ElasticLoadBalancingV2::LoadBalancer');
    const groups = JSON.stringify(lb.Properties['SecurityGroups']);
    const [prefixListId] = only('Custom::AWS');
    const ingress: Record<string, unknown>[] = [
      ...ofType('AWS::EC2::SecurityGroup').flatMap(([id, r]) =>
        ((r.Properties['SecurityGroupIngress'] as Record<string, unknown>[] | undefined) ?? []).map(
          (rule) => ({
            ...rule,
            GroupId: { 'Fn::GetAtt': [id, 'GroupId'] },
          }),
        ),
      ),
      ...ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties),
    ];
    for (const rule of ingress)
      assert.ok(!('CidrIp' in rule) && !('CidrIpv6' in rule), 'no address range anywhere');
    const toLb = ingress.filter((rule) => groups.includes(JSON.stringify(rule['GroupId'])));
    assert.equal(toLb.length, 1, `one way into ${lbId}`);
    assert.match(JSON.stringify(toLb[0]?.['SourcePrefixListId']), new RegExp(prefixListId));
    const [, lookup] = only('Custom::AWS');
    assert.match(
      JSON.stringify(lookup.Properties),
      /describeManagedPrefixLists.*com\.amazonaws\.global\.cloudfront\.origin-facing/,
    );
  });

  it('runs every task in private subnets without public addresses; the API twice at least, scaled on CPU', () => {
    const privateSubnets = ofType('AWS::EC2::Subnet')
      .filter(([id]) => /tasks/i.test(id))
      .map(([id]) => refOf(id));
    assert.equal(privateSubnets.length, 2, 'two zones');
    const services = ofType('AWS::ECS::Service');
    assert.equal(services.length, 2);
    for (const [, service] of services) {
      const network = (
        service.Properties['NetworkConfiguration'] as { AwsvpcConfiguration: Record<string, unknown> }
      ).AwsvpcConfiguration;
      assert.equal(network['AssignPublicIp'], 'DISABLED');
      assert.deepEqual(
        (network['Subnets'] as unknown[]).map((s) => JSON.stringify(s)).sort(),
        privateSubnets.sort(),
      );
    }
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2, LaunchType: 'FARGATE' });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
  });

  it('keeps PostgreSQL private, encrypted and backed up', () => {
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      PubliclyAccessible: false,
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      DeletionProtection: true,
    });
    const [, subnetGroup] = only('AWS::RDS::DBSubnetGroup');
    const subnets = JSON.stringify(subnetGroup.Properties['SubnetIds']);
    const isolated = ofType('AWS::EC2::Subnet').filter(([id]) => /data/i.test(id));
    assert.equal(isolated.length, 2);
    for (const [id] of isolated) assert.ok(subnets.includes(refOf(id)), `${id} holds the database`);
    // Isolated: no route to the internet from the database subnets.
    const routes = ofType('AWS::EC2::Route').map(([, r]) => JSON.stringify(r.Properties['RouteTableId']));
    for (const [id] of isolated) assert.ok(!routes.some((r) => r.includes(id)), `${id} has no default route`);
  });
});

describe('RegistryStack: least privilege and secrets', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const statements: { id: string; statement: Statement }[] = [
    ...ofType('AWS::IAM::Policy').map(([id, r]) => ({ id, doc: r.Properties['PolicyDocument'] })),
    ...ofType('AWS::IAM::ManagedPolicy').map(([id, r]) => ({ id, doc: r.Properties['PolicyDocument'] })),
  ].flatMap(({ id, doc }) =>
    (doc as { Statement: Statement[] }).Statement.map((statement) => ({ id, statement })),
  );

  it('grants no wildcard action, and nothing on data to every resource', () => {
    assert.ok(statements.length > 10);
    for (const { id, statement } of statements) {
      for (const action of [statement.Action].flat()) {
        assert.ok(!action.includes('*'), `${id}: ${action}`);
        if (
          statement.Resource === '*' ||
          (Array.isArray(statement.Resource) && statement.Resource.includes('*'))
        ) {
          // Only calls that have no resource type may name every resource.
          assert.ok(
            ['ec2:DescribeManagedPrefixLists', 'cloudwatch:PutMetricData'].includes(action),
            `${id}: ${action} on *`,
          );
        }
      }
    }
  });

  it('gives the API nothing on AWS, and the builder only its tree (no invalidations: TTL only by default)', () => {
    const roleOf = (role: string) => {
      const [, def] = ofType('AWS::ECS::TaskDefinition').find(([, r]) =>
        JSON.stringify(r.Properties['ContainerDefinitions']).includes(`"Name":"${role}"`),
      ) as [string, Resource];
      return JSON.stringify(def.Properties['TaskRoleArn']).match(/"([A-Za-z0-9]+TaskRole[A-Za-z0-9]*)"/)?.[1];
    };
    const attached = (roleId: string | undefined) =>
      ofType('AWS::IAM::Policy')
        .filter(([, r]) => JSON.stringify(r.Properties['Roles']).includes(`"${roleId}"`))
        .flatMap(([, r]) => (r.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement);
    assert.deepEqual(attached(roleOf('api')), [], 'the API task role has no statements');
    assert.deepEqual(attached(roleOf('migrate')), []);
    const builder = attached(roleOf('builder'));
    assert.deepEqual(
      builder.map((s) => [s.Action].flat().sort()),
      [['s3:DeleteObject', 's3:GetObject', 's3:PutObject'], ['s3:ListBucket']],
    );
    const [bucketId] = only('AWS::S3::Bucket');
    assert.match(JSON.stringify(builder[0]?.Resource), new RegExp(`"${bucketId}","Arn"\\]\\},"/\\*"`));
    assert.doesNotMatch(JSON.stringify(json), /CLOUDFRONT_DISTRIBUTION_ID/);
  });

  it('injects every key, password and sign-in setting from Secrets Manager, never as a plain value', () => {
    for (const [, def] of ofType('AWS::ECS::TaskDefinition')) {
      const [container] = def.Properties['ContainerDefinitions'] as {
        Name: keyof typeof SECRETS_BY_ROLE;
        Environment?: { Name: string; Value: unknown }[];
        Secrets?: { Name: string; ValueFrom: unknown }[];
        ReadonlyRootFilesystem?: boolean;
      }[];
      assert.ok(container);
      const secretNames = (container.Secrets ?? []).map((s) => s.Name).sort();
      assert.deepEqual(secretNames, [...SECRETS_BY_ROLE[container.Name]].sort() as string[], container.Name);
      for (const { Name, Value } of container.Environment ?? []) {
        assert.ok(!secretNames.includes(Name), `${Name} is not also plain`);
        assert.doesNotMatch(
          JSON.stringify(Value),
          /postgres(ql)?:\/\/|[0-9a-f]{64}|resolve:secretsmanager/i,
          Name,
        );
      }
      for (const { ValueFrom } of container.Secrets ?? []) {
        assert.match(JSON.stringify(ValueFrom), /Ref|secretsmanager/, 'from a secret');
      }
      assert.equal(container.ReadonlyRootFilesystem, true);
    }
    // The connection string's password is a dynamic reference resolved by CloudFormation, not text.
    const url = ofType('AWS::SecretsManager::Secret').find(([id]) => /DatabaseUrl/.test(id)) as [
      string,
      Resource,
    ];
    assert.match(
      JSON.stringify(url[1].Properties['SecretString']),
      /resolve:secretsmanager:.*:SecretString:password/,
    );
  });
});

describe('RegistryStack: rollout and watch', () => {
  it('runs migrate as a one-off task before the services change, and fails the deployment if it fails', () => {
    const [migrationId, migration] = only('Custom::RegistryMigration');
    const [migrateTaskId] = ofType('AWS::ECS::TaskDefinition').find(([, r]) =>
      JSON.stringify(r.Properties['ContainerDefinitions']).includes('"Command":["migrate"]'),
    ) as [string, Resource];
    assert.equal(JSON.stringify(migration.Properties['TaskDefinition']), refOf(migrateTaskId));
    for (const [id, service] of ofType('AWS::ECS::Service')) {
      assert.ok(
        service.DependsOn?.some((d) => d.startsWith(migrationId.replace(/Run.*$/, ''))),
        `${id} waits`,
      );
    }
    const [dbId] = only('AWS::RDS::DBInstance');
    assert.ok(migration.DependsOn?.includes(dbId));
    const handlers = ofType('AWS::Lambda::Function').map(([, r]) => JSON.stringify(r.Properties['Code']));
    assert.ok(handlers.some((c) => c.includes('RunTaskCommand') && c.includes('exitCode')));
  });

  it('alarms on build lag and on API 5xx, logs to CloudWatch, and synthesizes without warnings', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => JSON.stringify(r.Properties));
    assert.equal(alarms.length, 2);
    assert.ok(alarms.some((a) => a.includes('BuildLagSeq') && a.includes('"TreatMissingData":"breaching"')));
    assert.ok(
      alarms.some((a) => a.includes('HTTPCode_Target_5XX_Count') && a.includes('HTTPCode_ELB_5XX_Count')),
    );
    for (const [, def] of ofType('AWS::ECS::TaskDefinition')) {
      assert.match(JSON.stringify(def.Properties['ContainerDefinitions']), /"LogDriver":"awslogs"/);
    }
    assert.deepEqual(Annotations.fromStack(stack).findWarning('*', Match.anyValue()), []);
    assert.deepEqual(Annotations.fromStack(stack).findError('*', Match.anyValue()), []);
  });
});
