import { Duration, RemovalPolicy, SecretValue } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface RegistryDatabaseProps {
  vpc: ec2.IVpc;
  /** Standby in a second zone (automatic failover); default false. */
  multiAz?: boolean;
  /** Default db.t4g.micro (the official registry's size fits; see the README's cost table). */
  instanceType?: ec2.InstanceType;
  /** Default 20 GiB (gp3), growing to `maxAllocatedStorageGiB`. */
  allocatedStorageGiB?: number;
  maxAllocatedStorageGiB?: number;
  /** Automated backups kept this many days; default 7. */
  backupRetentionDays?: number;
}

export const DATABASE_NAME = 'registry';
export const DATABASE_USER = 'registry';

/**
 * PostgreSQL on RDS: in the isolated subnets (no route to or from the internet), encrypted at rest,
 * TLS in transit (RDS PostgreSQL 15+ forces it), automated backups, deletion protection. The master
 * password is generated into Secrets Manager; `databaseUrl` is a second secret holding the
 * connection string the registry reads (DATABASE_URL), assembled by CloudFormation from a dynamic
 * reference, so the password never appears in the template or in a task definition.
 */
export class RegistryDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly databaseUrl: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: RegistryDatabaseProps) {
    super(scope, id);
    this.instance = new rds.DatabaseInstance(this, 'Postgres', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      instanceType: props.instanceType ?? ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.allocatedStorageGiB ?? 20,
      maxAllocatedStorage: props.maxAllocatedStorageGiB ?? 100,
      databaseName: DATABASE_NAME,
      credentials: rds.Credentials.fromGeneratedSecret(DATABASE_USER),
      backupRetention: Duration.days(props.backupRetentionDays ?? 7),
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      enablePerformanceInsights: false,
      cloudwatchLogsExports: ['postgresql'],
    });
    const master = this.instance.secret;
    if (!master) throw new Error('the database has no generated secret');
    // The generated password excludes URL-special characters (CDK's default exclusions), so it goes
    // into the URL as it is. `no-verify`: TLS without checking the RDS CA, which Node does not ship;
    // to verify, add the RDS CA bundle to the image (NODE_EXTRA_CA_CERTS) and use sslmode=verify-full.
    const url = `postgres://${DATABASE_USER}:${master.secretValueFromJson('password').unsafeUnwrap()}@${this.instance.dbInstanceEndpointAddress}:${this.instance.dbInstanceEndpointPort}/${DATABASE_NAME}?sslmode=no-verify`;
    this.databaseUrl = new secretsmanager.Secret(this, 'Url', {
      description: 'DATABASE_URL of the MCP registry (resolved from the RDS master secret at deploy time)',
      secretStringValue: SecretValue.unsafePlainText(url),
    });
  }

  /** Lets `peer` connect on the PostgreSQL port. */
  allowFrom(peer: ec2.IConnectable, description: string): void {
    this.instance.connections.allowDefaultPortFrom(peer, description);
  }
}
