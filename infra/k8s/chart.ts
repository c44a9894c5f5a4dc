import type { Model } from '@kubernetes-models/base';
import { ApiObject, App, Chart } from 'cdk8s';
import { Deployment, type IDeploymentSpec, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap,
  type IContainer,
  type IPodSpec,
  PersistentVolumeClaim,
  Service,
} from 'kubernetes-models/v1';
import { WRITE_PATHS } from '../cdk/routes.js';
import { type Role, SECRETS_BY_ROLE } from '../cdk/settings.js';

/**
 * The registry on Kubernetes, as cdk8s synthesizes it (`npm run infra:synth` writes the manifests and
 * the Helm chart): the API (Deployment, Service, PodDisruptionBudget, Ingress), PostgreSQL
 * (StatefulSet with a PersistentVolumeClaim, headless Service), the builder daemon (Deployment),
 * `migrate` (Job), and the read side as the `cdn` server (Deployment + Service) over the volume the
 * builder writes. Every object is built from kubernetes-models' typed classes, so a misspelt field is
 * a compile error, and the tests validate the output against the Kubernetes schemas.
 *
 * Parameters are values (the plain manifests) or Helm placeholders (helm.ts turns `@@str:x@@` and
 * `@@num:x@@` into `{{ .Values.x }}`), which is why numbers may arrive as strings here.
 */
export interface RegistryParams {
  image: string;
  apiReplicas: number | string;
  builderReplicas: number | string;
  cdnReplicas: number | string;
  host: string;
  postgresStorage: string;
  siteStorage: string;
  /** Storage class of the site volume, which builder and cdn pods share: it must allow ReadWriteMany. */
  siteStorageClass?: string;
  /** Annotations of the migrate Job (the Helm chart makes it a hook). */
  migrateAnnotations?: Record<string, string>;
}

export const NAME = 'mcp-registry';
/** The Secret every role reads its keys from (kustomize's secretGenerator or the Helm chart makes it). */
export const SECRET_NAME = `${NAME}-secrets`;
export const CONFIG_NAME = `${NAME}-config`;
export const SITE_VOLUME = `${NAME}-site`;
export const API_PORT = 8080;
export const CDN_PORT = 8081;
/** Keys of the Secret: the registry's secret settings, and the PostgreSQL password of the StatefulSet. */
export const SECRET_KEYS = [
  ...new Set([...SECRETS_BY_ROLE.api, ...SECRETS_BY_ROLE.builder, ...SECRETS_BY_ROLE.migrate]),
  'POSTGRES_PASSWORD',
] as const;
/** Secret keys a pod may start without (empty means off): everything but the database URL. */
const REQUIRED_KEYS = new Set(['DATABASE_URL', 'POSTGRES_PASSWORD']);

const labels = (component: string) => ({
  'app.kubernetes.io/name': NAME,
  'app.kubernetes.io/component': component,
});
const int = (v: number | string) => v as number;

/** Non-root, read-only, no privilege escalation, no capabilities: what every registry container runs with. */
const hardened = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' as const },
});
/** The image's `node` user. */
const NODE_UID = 1000;

function registryContainer(role: Role | 'cdn', image: string, extra: Partial<IContainer> = {}) {
  const keys = role === 'cdn' ? [] : SECRETS_BY_ROLE[role];
  return {
    name: role,
    image,
    args: [role],
    envFrom: [{ configMapRef: { name: CONFIG_NAME } }],
    env: keys.map((key) => ({
      name: key,
      valueFrom: { secretKeyRef: { name: SECRET_NAME, key, optional: !REQUIRED_KEYS.has(key) } },
    })),
    securityContext: hardened(NODE_UID),
    ...extra,
  } satisfies IContainer;
}

function podSpecBase() {
  return {
    automountServiceAccountToken: false,
    securityContext: { fsGroup: NODE_UID, seccompProfile: { type: 'RuntimeDefault' as const } },
    terminationGracePeriodSeconds: 30,
  };
}

/** A Deployment of one registry role: labels, selector and the hardened pod around its container. */
function registryDeployment(
  component: string,
  replicas: number | string,
  container: IContainer,
  pod: Partial<IPodSpec> = {},
  spec: Partial<IDeploymentSpec> = {},
): Deployment {
  return new Deployment({
    metadata: { name: `${NAME}-${component}`, labels: labels(component) },
    spec: {
      replicas: int(replicas),
      selector: { matchLabels: labels(component) },
      ...spec,
      template: {
        metadata: { labels: labels(component) },
        spec: { ...podSpecBase(), containers: [container], ...pod },
      },
    },
  });
}

export function registryObjects(p: RegistryParams): Model<unknown>[] {
  const site = { name: 'site', persistentVolumeClaim: { claimName: SITE_VOLUME } };
  const selector = (component: string) => ({ matchLabels: labels(component) });

  const config = new ConfigMap({
    metadata: { name: CONFIG_NAME, labels: labels('config') },
    data: {
      HOST: '0.0.0.0',
      PORT: String(API_PORT),
      CDN_HOST: '0.0.0.0',
      CDN_PORT: String(CDN_PORT),
      LOG_LEVEL: 'info',
      ENABLE_ANONYMOUS_AUTH: 'false',
      // The builder writes here and the cdn server reads it. For an S3-compatible bucket behind a
      // CDN instead, set S3_BUCKET (S3_ENDPOINT, S3_REGION, …) and drop the cdn objects (README).
      SITE_DIR: '/site',
    },
  });

  const api = registryDeployment(
    'api',
    p.apiReplicas,
    registryContainer('api', p.image, {
      ports: [{ name: 'http', containerPort: API_PORT }],
      // Ready when the database answers; alive while the process answers at all (a database
      // outage is not cured by restarting the API, which answers 503 problem+json meanwhile).
      readinessProbe: {
        httpGet: { path: '/v0/health', port: 'http' },
        periodSeconds: 10,
        failureThreshold: 3,
      },
      livenessProbe: { httpGet: { path: '/v0/ping', port: 'http' }, periodSeconds: 20, failureThreshold: 3 },
      startupProbe: { httpGet: { path: '/v0/ping', port: 'http' }, periodSeconds: 5, failureThreshold: 60 },
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
    }),
    {
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: selector('api'),
        },
      ],
    },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } },
  );
  const apiService = new Service({
    metadata: { name: `${NAME}-api`, labels: labels('api') },
    spec: { selector: labels('api'), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });
  const apiBudget = new PodDisruptionBudget({
    metadata: { name: `${NAME}-api`, labels: labels('api') },
    spec: { minAvailable: 1, selector: selector('api') },
  });

  const postgres = new StatefulSet({
    metadata: { name: `${NAME}-postgres`, labels: labels('postgres') },
    spec: {
      serviceName: `${NAME}-postgres`,
      replicas: 1,
      selector: selector('postgres'),
      template: {
        metadata: { labels: labels('postgres') },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { fsGroup: 70, seccompProfile: { type: 'RuntimeDefault' as const } },
          containers: [
            {
              name: 'postgres',
              image: 'postgres:16-alpine',
              ports: [{ name: 'postgres', containerPort: 5432 }],
              env: [
                { name: 'POSTGRES_USER', value: 'registry' },
                { name: 'POSTGRES_DB', value: 'registry' },
                { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                {
                  name: 'POSTGRES_PASSWORD',
                  valueFrom: { secretKeyRef: { name: SECRET_NAME, key: 'POSTGRES_PASSWORD' } },
                },
              ],
              readinessProbe: {
                exec: { command: ['pg_isready', '-U', 'registry', '-d', 'registry'] },
                periodSeconds: 10,
              },
              resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { memory: '1Gi' } },
              securityContext: { ...hardened(70), readOnlyRootFilesystem: false },
              volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql/data' }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: p.postgresStorage } } },
        },
      ],
    },
  });
  const postgresService = new Service({
    metadata: { name: `${NAME}-postgres`, labels: labels('postgres') },
    spec: { clusterIP: 'None', selector: labels('postgres'), ports: [{ name: 'postgres', port: 5432 }] },
  });

  const siteVolume = new PersistentVolumeClaim({
    metadata: { name: SITE_VOLUME, labels: labels('site') },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: p.siteStorage } },
      ...(p.siteStorageClass ? { storageClassName: p.siteStorageClass } : {}),
    },
  });

  const builder = registryDeployment(
    'builder',
    p.builderReplicas,
    registryContainer('builder', p.image, {
      resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '2Gi' } },
      volumeMounts: [{ name: 'site', mountPath: '/site' }],
    }),
    { volumes: [site] },
  );

  const cdn = registryDeployment(
    'cdn',
    p.cdnReplicas,
    registryContainer('cdn', p.image, {
      ports: [{ name: 'http', containerPort: CDN_PORT }],
      // Before the first build every URL is a 404: ready means listening.
      readinessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 10 },
      livenessProbe: { tcpSocket: { port: 'http' }, periodSeconds: 20 },
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      volumeMounts: [{ name: 'site', mountPath: '/site', readOnly: true }],
    }),
    { volumes: [{ ...site, persistentVolumeClaim: { ...site.persistentVolumeClaim, readOnly: true } }] },
  );
  const cdnService = new Service({
    metadata: { name: `${NAME}-cdn`, labels: labels('cdn') },
    spec: { selector: labels('cdn'), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  });

  const migrate = new Job({
    metadata: {
      name: `${NAME}-migrate`,
      labels: labels('migrate'),
      ...(p.migrateAnnotations ? { annotations: p.migrateAnnotations } : {}),
    },
    spec: {
      backoffLimit: 6,
      // A finished Job is removed after 10 minutes, so the next `kubectl apply -k` can create it again.
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: labels('migrate') },
        spec: {
          ...podSpecBase(),
          restartPolicy: 'OnFailure',
          containers: [registryContainer('migrate', p.image)],
        },
      },
    },
  });

  const backend = (service: string) => ({ service: { name: service, port: { name: 'http' } } });
  const ingress = new Ingress({
    metadata: { name: NAME, labels: labels('ingress') },
    spec: {
      rules: [
        {
          host: p.host,
          http: {
            paths: [
              ...ingressWritePaths().map((path) => ({
                path,
                pathType: 'Prefix' as const,
                backend: backend(`${NAME}-api`),
              })),
              { path: '/', pathType: 'Prefix' as const, backend: backend(`${NAME}-cdn`) },
            ],
          },
        },
      ],
    },
  });

  return [
    config,
    postgresService,
    postgres,
    migrate,
    api,
    apiService,
    apiBudget,
    siteVolume,
    builder,
    cdn,
    cdnService,
    ingress,
  ];
}

/** The write-only paths as Ingress prefixes (routes.ts's CloudFront patterns, for /v0 and /v0.1). */
export function ingressWritePaths(): string[] {
  return WRITE_PATHS.flatMap((pattern) => {
    const rest = pattern.replace(/^\/v0\*/, '').replace(/\/?\*$/, '');
    return [`/v0${rest}`, `/v0.1${rest}`];
  });
}

/** The objects as a cdk8s chart (what `cdk8s synth` would write), in apply order. */
export function synthesizeRegistry(p: RegistryParams): Record<string, unknown>[] {
  const app = new App();
  const chart = new Chart(app, NAME, { disableResourceNameHashes: true });
  registryObjects(p).forEach((model, i) => {
    const json = model.toJSON() as { apiVersion: string; kind: string } & Record<string, unknown>;
    new ApiObject(chart, `o${i}`, json);
  });
  return chart.toJson() as Record<string, unknown>[];
}

export const DEFAULT_PARAMS: RegistryParams = {
  image: 'ghcr.io/example/mcp-registry:latest',
  apiReplicas: 2,
  builderReplicas: 1,
  cdnReplicas: 2,
  host: 'registry.example.org',
  postgresStorage: '10Gi',
  siteStorage: '20Gi',
};
