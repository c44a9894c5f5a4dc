import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { SECRETS_BY_ROLE } from '../../infra/cdk/settings.js';
import { ingressWritePaths, NAME, SECRET_KEYS, SECRET_NAME } from '../../infra/k8s/chart.js';
import { HELM_VALUES } from '../../infra/k8s/helm.js';
import { CHART_DIR, generatedFiles, MANIFESTS_DIR } from '../../infra/synth.js';

/**
 * The Kubernetes manifests and the Helm chart as committed (what an operator applies), checked to be
 * what `npm run infra:synth` writes, valid against the Kubernetes schemas (kubernetes-models' copies,
 * offline), and carrying the parts of a working deployment.
 */
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
} & Record<
  string,
  // biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain JSON
  any
>;

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const docs = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((d) => d.toJSON() as K8sObject | null)
    .filter((d): d is K8sObject => d !== null);

/** Validates one object with the kubernetes-models class of its apiVersion and kind (throws on errors). */
async function validate(object: K8sObject): Promise<void> {
  const pkg = object.apiVersion.startsWith('gateway.networking.k8s.io/')
    ? '@kubernetes-models/gateway-api'
    : 'kubernetes-models';
  const module = (await import(`${pkg}/${object.apiVersion}`)) as Record<
    string,
    new (
      data: unknown,
    ) => { validate(): void }
  >;
  const Model = module[object.kind];
  assert.ok(Model, `kubernetes-models knows ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

/**
 * Renders the chart's templates the way `helm template` does for the subset they use: `.Values` paths,
 * `| quote`, and `required "message" .Values.x`. Any other template syntax fails the test first.
 */
function renderHelm(template: string, values: Record<string, unknown>): string {
  const lookup = (path: string) =>
    path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], values);
  return template.replace(/\{\{ (.*?) \}\}/g, (_, expression: string) => {
    const m = /^(?:required "([^"]+)" )?\.Values\.([\w.]+)( \| quote)?$/.exec(expression);
    if (!m) throw new Error(`template syntax outside the tested subset: {{ ${expression} }}`);
    const [, required, path, quote] = m;
    const value = lookup(path as string);
    if (required && (value === undefined || value === '')) throw new Error(`execution error: ${required}`);
    return quote ? JSON.stringify(String(value ?? '')) : String(value ?? '');
  });
}

const manifests = docs(read(MANIFESTS_DIR, 'registry.yaml'));
const byKind = (kind: string, name: string) => {
  const found = manifests.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name}`);
  return found;
};
const containerOf = (o: K8sObject) => o['spec'].template.spec.containers[0];

describe('Kubernetes manifests (infra/k8s/manifests)', () => {
  it('are what npm run infra:synth writes (committed, so an operator needs no Node to apply them)', () => {
    for (const [path, text] of Object.entries(generatedFiles())) {
      assert.equal(readFileSync(path, 'utf8'), text, `${path} is stale: run npm run infra:synth`);
    }
  });

  it('validate against the Kubernetes schemas', async () => {
    assert.ok(manifests.length >= 12);
    for (const object of [...manifests, ...docs(read(MANIFESTS_DIR, 'namespace.yaml'))])
      await validate(object);
    // The validator does reject a bad object (so the loop above checks something).
    const api = structuredClone(byKind('Deployment', `${NAME}-api`));
    api['spec'].replicas = 'two';
    await assert.rejects(validate(api), /replicas must be integer/);
  });

  it('run the API behind a Service and an Ingress: replicas, probes on /v0/health, requests, a disruption budget', () => {
    const api = byKind('Deployment', `${NAME}-api`);
    assert.ok(api['spec'].replicas >= 2);
    const container = containerOf(api);
    assert.deepEqual(container.args, ['api']);
    assert.equal(container.readinessProbe.httpGet.path, '/v0/health');
    assert.equal(container.livenessProbe.httpGet.path, '/v0/ping');
    assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
    const budget = byKind('PodDisruptionBudget', `${NAME}-api`);
    assert.deepEqual(budget['spec'].selector.matchLabels, api['spec'].selector.matchLabels);
    assert.equal(budget['spec'].minAvailable, 1);
    const service = byKind('Service', `${NAME}-api`);
    assert.deepEqual(service['spec'].selector, api['spec'].template.metadata.labels);

    const ingress = byKind('Ingress', NAME);
    const paths = ingress['spec'].rules[0].http.paths as {
      path: string;
      backend: { service: { name: string } };
    }[];
    const to = (path: string) => paths.find((p) => p.path === path)?.backend.service.name;
    for (const path of [
      '/v0/publish',
      '/v0.1/publish',
      '/v0/auth',
      '/v0.1/validate',
      '/v0/health',
      '/v0/admin',
    ]) {
      assert.equal(to(path), `${NAME}-api`, path);
    }
    assert.equal(to('/'), `${NAME}-cdn`, 'reads go to the read side');
    assert.deepEqual(ingressWritePaths().length, 16);
  });

  it('run PostgreSQL as a StatefulSet on a persistent volume, the builder daemon, migrate as a Job, the cdn server on the builder volume', () => {
    const postgres = byKind('StatefulSet', `${NAME}-postgres`);
    assert.equal(postgres['spec'].volumeClaimTemplates[0].spec.resources.requests.storage, '10Gi');
    assert.equal(
      containerOf(postgres).volumeMounts[0].name,
      postgres['spec'].volumeClaimTemplates[0].metadata.name,
    );
    assert.equal(byKind('Service', `${NAME}-postgres`)['spec'].clusterIP, 'None');

    const builder = byKind('Deployment', `${NAME}-builder`);
    assert.deepEqual(containerOf(builder).args, ['builder']);
    const migrate = byKind('Job', `${NAME}-migrate`);
    assert.deepEqual(containerOf(migrate).args, ['migrate']);
    const cdn = byKind('Deployment', `${NAME}-cdn`);
    assert.deepEqual(containerOf(cdn).args, ['cdn']);
    const claim = (o: K8sObject) => o['spec'].template.spec.volumes[0].persistentVolumeClaim.claimName;
    assert.equal(claim(builder), claim(cdn), 'the cdn server reads the volume the builder writes');
    assert.equal(containerOf(cdn).volumeMounts[0].readOnly, true);
    assert.deepEqual(byKind('PersistentVolumeClaim', claim(builder))['spec'].accessModes, ['ReadWriteMany']);
  });

  it('take every secret from the Secret, and run every registry container non-root and read-only', () => {
    for (const o of manifests.filter((m) => m['spec']?.template?.spec)) {
      for (const container of o['spec'].template.spec.containers) {
        for (const env of container.env ?? []) {
          if ((SECRET_KEYS as readonly string[]).includes(env.name)) {
            assert.equal(env.value, undefined, `${o.metadata.name}: ${env.name} is not a plain value`);
            assert.deepEqual(
              [env.valueFrom.secretKeyRef.name, env.valueFrom.secretKeyRef.key],
              [SECRET_NAME, env.name],
            );
          }
        }
        const role = container.args?.[0] as keyof typeof SECRETS_BY_ROLE | undefined;
        if (role && role in SECRETS_BY_ROLE) {
          assert.deepEqual(
            container.env.map((e: { name: string }) => e.name).sort(),
            [...SECRETS_BY_ROLE[role]].sort(),
          );
        }
        assert.equal(container.securityContext.runAsNonRoot, true, o.metadata.name);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      }
    }
    const kustomization = parseYaml(read(MANIFESTS_DIR, 'kustomization.yaml'));
    assert.deepEqual(kustomization.secretGenerator, [{ name: SECRET_NAME, envs: ['secrets.env'] }]);
    for (const resource of kustomization.resources) assert.ok(read(MANIFESTS_DIR, resource));
    const example = read(MANIFESTS_DIR, 'secrets.env.example')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    assert.deepEqual(example.sort(), [...SECRET_KEYS].sort());
  });
});

describe('Helm chart (infra/helm/mcp-registry)', () => {
  const templates = ['templates/registry.yaml', 'templates/secret.yaml'].map((f) => read(CHART_DIR, f));
  const values = parseYaml(read(CHART_DIR, 'values.yaml'));
  const render = (v: Record<string, unknown>) => templates.flatMap((t) => docs(renderHelm(t, v)));
  const withSecrets = (overrides: Record<string, unknown> = {}) => ({
    ...values,
    secrets: {
      ...values.secrets,
      DATABASE_URL: 'postgres://registry:pw@mcp-registry-postgres:5432/registry',
      POSTGRES_PASSWORD: 'pw',
    },
    ...overrides,
  });

  it('renders, with its default values and the required secrets, the same objects as the manifests, all valid', async () => {
    assert.deepEqual(values, HELM_VALUES);
    const rendered = render(withSecrets());
    for (const object of rendered) await validate(object);
    const withoutHooks = rendered
      .filter((o) => o.kind !== 'Secret')
      .map((o) => {
        const copy = structuredClone(o);
        delete copy.metadata.annotations;
        return copy;
      });
    const plain = manifests.map((o) => ({ ...o, spec: o['spec'] && structuredClone(o['spec']) }));
    // Same objects, the image aside (the chart's default repository and tag).
    const normalize = (list: K8sObject[]) =>
      JSON.stringify(list).replaceAll(/"image":"ghcr\.io\/example\/mcp-registry:[^"]*"/g, '"image":"I"');
    assert.equal(normalize(withoutHooks), normalize(plain));
    const migrate = rendered.find((o) => o.kind === 'Job');
    assert.match(migrate?.metadata.annotations?.['helm.sh/hook'] ?? '', /pre-upgrade/);
  });

  it('takes the image, replicas, database URL and secrets from values, and refuses to render without the required ones', async () => {
    const rendered = render(
      withSecrets({
        image: { repository: 'registry.example.org/mcp', tag: '1.2.3' },
        api: { replicas: 5 },
        secrets: {
          ...values.secrets,
          DATABASE_URL: 'postgres://u:p@db.example.org/r',
          POSTGRES_PASSWORD: 'p',
          GITHUB_CLIENT_ID: 'Iv1.x',
        },
      }),
    );
    const api = rendered.find(
      (o) => o.kind === 'Deployment' && o.metadata.name === `${NAME}-api`,
    ) as K8sObject;
    assert.equal(api['spec'].replicas, 5);
    assert.equal(containerOf(api).image, 'registry.example.org/mcp:1.2.3');
    const secret = rendered.find((o) => o.kind === 'Secret') as K8sObject;
    await validate(secret);
    assert.equal(secret['stringData'].DATABASE_URL, 'postgres://u:p@db.example.org/r');
    assert.equal(secret['stringData'].GITHUB_CLIENT_ID, 'Iv1.x');
    assert.deepEqual(Object.keys(secret['stringData']).sort(), [...SECRET_KEYS].sort());
    assert.throws(() => render(values), /secrets\.DATABASE_URL is required/);
  });
});

describe('Gateway API variant (infra/k8s/manifests/gateway-api)', () => {
  const gatewayDir = join(MANIFESTS_DIR, 'gateway-api');
  const [route] = docs(read(gatewayDir, 'httproute.yaml'));
  type Match = { path: { type: string; value: string }; method?: string };
  type Rule = { matches: Match[]; backendRefs: { name: string }[] };

  /** Gateway API's precedence: the longest matching path prefix, then a rule that names the method. */
  function backendFor(method: string, path: string): string | undefined {
    const candidates = ((route?.['spec'].rules ?? []) as Rule[]).flatMap((rule) =>
      rule.matches
        .filter(
          (m) => path === m.path.value || path.startsWith(m.path.value === '/' ? '/' : `${m.path.value}/`),
        )
        .filter((m) => m.method === undefined || m.method === method)
        .map((m) => ({ m, backend: rule.backendRefs[0]?.name })),
    );
    candidates.sort(
      (a, b) => b.m.path.value.length - a.m.path.value.length || Number(!!b.m.method) - Number(!!a.m.method),
    );
    return candidates[0]?.backend;
  }

  it('is a valid HTTPRoute that replaces the Ingress', async () => {
    assert.ok(route);
    await validate(route);
    const kustomization = parseYaml(read(gatewayDir, 'kustomization.yaml'));
    assert.deepEqual(kustomization.resources, ['..', 'httproute.yaml']);
    assert.match(kustomization.patches[0].patch, /\$patch: delete[\s\S]*kind: Ingress/);
  });

  it('routes writes to the API by path and, on read paths, by method; reads to the read side', () => {
    const api = `${NAME}-api`;
    const cdn = `${NAME}-cdn`;
    const cases: [string, string, string][] = [
      ['POST', '/v0/publish', api],
      ['POST', '/v0.1/auth/github-at', api],
      ['GET', '/v0/health', api],
      ['PUT', '/v0/servers/io.github.alice%2Fweather/versions/1.0.0', api],
      ['PATCH', '/v0.1/servers/io.github.alice%2Fweather/versions/1.0.0/status', api],
      ['GET', '/v0/servers/io.github.alice%2Fweather/versions/1.0.0', cdn],
      ['GET', '/v0.1/servers', cdn],
      ['GET', '/', cdn],
    ];
    for (const [method, path, backend] of cases)
      assert.equal(backendFor(method, path), backend, `${method} ${path}`);
  });
});
