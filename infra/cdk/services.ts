import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { COMMON_ENVIRONMENT, type Role, SECRETS_BY_ROLE, type SecretSetting } from './settings.js';

/** Where each secret setting comes from: a whole secret, or one field of a JSON secret. */
export type SecretSources = Record<SecretSetting, { secret: secretsmanager.ISecret; field?: string }>;

export interface RegistryServicesProps {
  vpc: ec2.IVpc;
  image: ecs.ContainerImage;
  secrets: SecretSources;
  /** The security group's only way in: CloudFront's origin-facing prefix list. */
  cloudFrontPrefixListId: string;
  /** API tasks: at least 2 (two zones), at most `apiMaxTasks` under CPU load. */
  apiMinTasks?: number;
  apiMaxTasks?: number;
  /** Builder daemons: 1 or 2 (they coordinate through PostgreSQL). */
  builderTasks?: number;
  logRetention?: logs.RetentionDays;
}

const API_PORT = 8080;

/**
 * The processes on ECS Fargate, all from one image: the API behind an internal ALB (CloudFront
 * reaches it through a VPC origin; its security group admits only CloudFront's origin-facing
 * addresses), autoscaled on CPU across two zones; the builder daemon; the `migrate` task definition
 * (run by migration.ts before the services change). Tasks run in private subnets without public
 * addresses; every secret is injected by ECS from Secrets Manager, never a plain value; logs go to
 * CloudWatch. The API's task role has no statements at all; the builder's has only the tree's.
 */
export class RegistryServices extends Construct {
  readonly cluster: ecs.Cluster;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly api: ecs.FargateService;
  builder?: ecs.FargateService;
  readonly migrateTask: ecs.FargateTaskDefinition;
  readonly taskSecurityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;
  private readonly task: (
    role: Role,
    cpu: number,
    memoryLimitMiB: number,
    command: string[],
    env?: Record<string, string>,
  ) => ecs.FargateTaskDefinition;
  private readonly service: (
    name: string,
    definition: ecs.FargateTaskDefinition,
    desiredCount: number,
  ) => ecs.FargateService;
  private readonly builderTasks: number;

  constructor(scope: Construct, id: string, props: RegistryServicesProps) {
    super(scope, id);
    const apiMinTasks = Math.max(2, props.apiMinTasks ?? 2);
    const apiMaxTasks = Math.max(apiMinTasks, props.apiMaxTasks ?? 10);
    this.builderTasks = props.builderTasks ?? 1;
    if (this.builderTasks < 1 || this.builderTasks > 2) throw new Error('builderTasks must be 1 or 2');

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.taskSecurityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc: props.vpc,
      description: 'MCP registry tasks (API, builder, migrate): no inbound but the ALB',
      allowAllOutbound: true,
    });

    const task = (role: Role, cpu: number, memoryLimitMiB: number, command: string[], env = {}) => {
      const definition = new ecs.FargateTaskDefinition(this, `${capitalize(role)}Task`, {
        cpu,
        memoryLimitMiB,
        runtimePlatform: {
          cpuArchitecture: ecs.CpuArchitecture.X86_64,
          operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        },
      });
      definition.addContainer(role, {
        image: props.image,
        command,
        environment: { ...COMMON_ENVIRONMENT, ...env },
        secrets: Object.fromEntries(
          SECRETS_BY_ROLE[role].map((name) => {
            const source = props.secrets[name];
            return [name, ecs.Secret.fromSecretsManager(source.secret, source.field)];
          }),
        ),
        logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: role }),
        ...(role === 'api' ? { portMappings: [{ containerPort: API_PORT }] } : {}),
        readonlyRootFilesystem: true,
        stopTimeout: Duration.seconds(30),
      });
      return definition;
    };

    const service = (name: string, definition: ecs.FargateTaskDefinition, desiredCount: number) =>
      new ecs.FargateService(this, name, {
        cluster: this.cluster,
        taskDefinition: definition,
        desiredCount,
        vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        assignPublicIp: false,
        securityGroups: [this.taskSecurityGroup],
        circuitBreaker: { enable: true, rollback: true },
        minHealthyPercent: 100,
        maxHealthyPercent: 200,
      });

    // API: two tasks at least, in two zones, scaled on CPU.
    this.api = service('Api', task('api', 512, 1024, ['api']), apiMinTasks);
    this.api
      .autoScaleTaskCount({ minCapacity: apiMinTasks, maxCapacity: apiMaxTasks })
      .scaleOnCpuUtilization('Cpu', {
        targetUtilizationPercent: 60,
        scaleInCooldown: Duration.minutes(5),
        scaleOutCooldown: Duration.minutes(1),
      });

    const albSecurityGroup = new ec2.SecurityGroup(this, 'Alb', {
      vpc: props.vpc,
      description: 'MCP registry ALB: HTTP from CloudFront origin-facing addresses only',
      allowAllOutbound: false,
    });
    albSecurityGroup.addIngressRule(
      ec2.Peer.prefixList(props.cloudFrontPrefixListId),
      ec2.Port.tcp(80),
      'CloudFront (VPC origin) only',
    );
    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Lb', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
    });
    const listener = this.alb.addListener('Http', { port: 80, open: false });
    listener.addTargets('Api', {
      port: API_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [this.api],
      // Liveness, not readiness: /v0/health answers 503 while the database is down, and replacing
      // every task then would not bring the database back (the API answers 503 problem+json itself).
      healthCheck: { path: '/v0/ping', healthyHttpCodes: '200', interval: Duration.seconds(15) },
      deregistrationDelay: Duration.seconds(30),
    });
    this.taskSecurityGroup.connections.allowFrom(albSecurityGroup, ec2.Port.tcp(API_PORT), 'ALB to the API');

    this.migrateTask = task('migrate', 256, 512, ['migrate']);
    this.task = task;
    this.service = service;
  }

  /**
   * The builder daemon (one, or two: one builds at a time, the other takes over), added once the
   * bucket and distribution it writes exist (they need the ALB first): `environment` is its target,
   * `statements` all it may do.
   */
  addBuilder(environment: Record<string, string>, statements: iam.PolicyStatement[]): ecs.FargateService {
    const definition = this.task('builder', 1024, 2048, ['builder'], environment);
    for (const statement of statements) definition.addToTaskRolePolicy(statement);
    this.builder = this.service('Builder', definition, this.builderTasks);
    return this.builder;
  }
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
