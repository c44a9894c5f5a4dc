import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface RegistryAlarmsProps {
  /** The public URL whose `/v0/health` is probed (the distribution: what users reach). */
  healthUrl: string;
  alb: elbv2.ApplicationLoadBalancer;
  /** Who is told: an e-mail address subscribed to the alarm topic (optional). */
  email?: string;
  /** Build lag (journal positions not yet built) that must persist 10 minutes to alarm; default 0. */
  buildLagThreshold?: number;
}

export const METRIC_NAMESPACE = 'McpRegistry';

/**
 * Alarms on what users would notice: the builder falling behind (the static tree no longer shows
 * publishes) and the API failing (5xx). Build lag is what `/v0/health` reports; a probe function
 * reads it every minute through the public URL and records it as a metric (no VPC access needed).
 * Lag is above zero for a moment after every publish, so the alarm looks at the minimum over ten
 * minutes: it fires only when the tree never caught up in that time, or the probe got no answer.
 */
export class RegistryAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly buildLag: cloudwatch.Alarm;
  readonly api5xx: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: RegistryAlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'MCP registry alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const probe = new lambda.Function(this, 'HealthProbe', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(PROBE),
      timeout: Duration.seconds(20),
      environment: {
        HEALTH_URL: props.healthUrl,
        NAMESPACE: METRIC_NAMESPACE,
        STACK_NAME: Stack.of(this).stackName,
      },
    });
    probe.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource type; the condition pins the namespace.
        conditions: { StringEquals: { 'cloudwatch:namespace': METRIC_NAMESPACE } },
      }),
    );
    new events.Rule(this, 'EveryMinute', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(probe)],
    });

    const lag = new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: 'BuildLagSeq',
      dimensionsMap: { Stack: Stack.of(this).stackName },
      statistic: cloudwatch.Stats.MINIMUM,
      period: Duration.minutes(5),
    });
    this.buildLag = lag.createAlarm(this, 'BuildLag', {
      alarmDescription:
        'The static tree has not caught up with publishes for 10 minutes (or /v0/health is down)',
      threshold: props.buildLagThreshold ?? 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    const sum5m = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };
    const errors = new cloudwatch.MathExpression({
      expression: 'target + lb',
      usingMetrics: {
        target: props.alb.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, sum5m),
        lb: props.alb.metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, sum5m),
      },
      period: Duration.minutes(5),
      label: 'API 5xx',
    });
    this.api5xx = errors.createAlarm(this, 'Api5xx', {
      alarmDescription: 'The write API answered 10 or more 5xx in 5 minutes (a database outage shows here)',
      threshold: 10,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.buildLag, this.api5xx]) {
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
    }
  }
}

/** Reads /v0/health and records the build lag (no datum when there is no answer: the alarm breaches). */
const PROBE = `
const { CloudWatchClient, PutMetricDataCommand } = require('@aws-sdk/client-cloudwatch');
const cw = new CloudWatchClient({});
exports.handler = async () => {
  const res = await fetch(process.env.HEALTH_URL, { signal: AbortSignal.timeout(10000) });
  const body = await res.json().catch(() => ({}));
  const lag = body && body.builder && typeof body.builder.lag === 'number' ? body.builder.lag : undefined;
  if (lag === undefined) throw new Error('health answered ' + res.status + ' without builder lag');
  await cw.send(new PutMetricDataCommand({ Namespace: process.env.NAMESPACE, MetricData: [{
    MetricName: 'BuildLagSeq', Value: lag, Unit: 'Count',
    Dimensions: [{ Name: 'Stack', Value: process.env.STACK_NAME }] }] }));
};
`;
