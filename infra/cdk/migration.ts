import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface MigrationProps {
  cluster: ecs.ICluster;
  task: ecs.FargateTaskDefinition;
  securityGroup: ec2.ISecurityGroup;
  subnets: ec2.SubnetSelection;
}

/**
 * `mcp-registry migrate` as a one-off Fargate task that every deployment runs, and waits for, before
 * the services change: a custom resource whose properties name the task definition (a new image makes
 * a new revision, so a new run). Its handler starts the task (onEvent) and polls it (isComplete) until
 * it stops; a non-zero exit fails the deployment, which CloudFormation then rolls back. The services
 * depend on this resource, so new tasks never start on an unmigrated schema. Deleting the stack runs
 * nothing.
 */
export class Migration extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MigrationProps) {
    super(scope, id);
    const code = lambda.Code.fromInline(HANDLER);
    const common = { runtime: lambda.Runtime.NODEJS_22_X, code, timeout: Duration.minutes(1) };
    const onEvent = new lambda.Function(this, 'Start', { ...common, handler: 'index.onEvent' });
    const isComplete = new lambda.Function(this, 'Poll', { ...common, handler: 'index.isComplete' });

    const stack = Stack.of(this);
    const family = stack.formatArn({
      service: 'ecs',
      resource: 'task-definition',
      resourceName: `${props.task.family}:*`,
    });
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [family],
        conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } },
      }),
    );
    const roles = [props.task.taskRole.roleArn, props.task.obtainExecutionRole().roleArn];
    onEvent.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: roles }));
    isComplete.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: [
          stack.formatArn({
            service: 'ecs',
            resource: 'task',
            resourceName: `${props.cluster.clusterName}/*`,
          }),
        ],
      }),
    );

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.minutes(30),
    });
    const subnets = props.cluster.vpc.selectSubnets(props.subnets).subnetIds;
    this.resource = new CustomResource(this, 'Run', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::RegistryMigration',
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinition: props.task.taskDefinitionArn,
        Subnets: subnets,
        SecurityGroups: [props.securityGroup.securityGroupId],
      },
    });
  }
}

/** The two handlers (the Lambda Node.js runtime ships the AWS SDK v3). */
const HANDLER = `
const { ECSClient, RunTaskCommand, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
const ecs = new ECSClient({});
exports.onEvent = async (event) => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const p = event.ResourceProperties;
  const out = await ecs.send(new RunTaskCommand({
    cluster: p.Cluster, taskDefinition: p.TaskDefinition, launchType: 'FARGATE', count: 1,
    startedBy: 'registry-migration',
    networkConfiguration: { awsvpcConfiguration: {
      subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
  }));
  const task = out.tasks && out.tasks[0];
  if (!task) throw new Error('RunTask started no task: ' + JSON.stringify(out.failures || []));
  return { PhysicalResourceId: task.taskArn, Data: { TaskArn: task.taskArn } };
};
exports.isComplete = async (event) => {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const p = event.ResourceProperties;
  const out = await ecs.send(new DescribeTasksCommand({ cluster: p.Cluster, tasks: [event.PhysicalResourceId] }));
  const task = out.tasks && out.tasks[0];
  if (!task) throw new Error('migration task not found: ' + event.PhysicalResourceId);
  if (task.lastStatus !== 'STOPPED') return { IsComplete: false };
  const code = task.containers && task.containers[0] && task.containers[0].exitCode;
  if (code !== 0) throw new Error('migrate exited with ' + code + ': ' + (task.stoppedReason || '') + ' (see the migrate log stream)');
  return { IsComplete: true };
};
`;
