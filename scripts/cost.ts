import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run cost`: what the AWS deployment (infra/cdk/registry-stack.ts) costs per month at three
 * scales, on AWS list prices (us-east-1), from what the builder was measured to do per publish
 * (bench-results/build.json: objects written by the incremental build after one publish, objects per
 * version of a full build). Invalidation paths per publish are read from the same result when the
 * benchmark records them (`invalidationPaths`), else derived: every object a publish writes is a
 * mutable one CloudFront may hold, except the build manifest (immutable, new key).
 *
 * `--markdown` prints the README table; `--write-readme` rewrites it between the README's cost
 * markers; `--json` prints everything.
 */
export const ROOT = resolve(import.meta.dirname, '..');
const HOURS = 730;
const DAYS = 30;

/** AWS list prices, us-east-1 / US-Europe edge, on-demand, as published in 2026 (USD). */
export const PRICES = {
  s3PutPer1k: 0.005,
  s3GetPer1k: 0.0004,
  s3StorageGbMonth: 0.023,
  cloudfrontHttpsPer10k: 0.01,
  cloudfrontTransferGb: 0.085,
  cloudfrontFunctionPerMillion: 0.1,
  invalidationPath: 0.005,
  invalidationFreePaths: 1000,
  fargateVcpuHour: 0.04048,
  fargateGbHour: 0.004445,
  rdsHour: { 'db.t4g.micro': 0.016, 'db.t4g.small': 0.032, 'db.t4g.medium': 0.065, 'db.m7g.large': 0.168 },
  rdsStorageGbMonth: 0.115,
  albHour: 0.0225,
  albLcuHour: 0.008,
  natHour: 0.045,
  natGb: 0.045,
  secretMonth: 0.4,
} as const;

export interface Scale {
  name: string;
  versions: number;
  publishesPerDay: number;
  readsPerMonth: number;
  api: { tasks: number; vcpu: number; gb: number };
  builder: { tasks: number; vcpu: number; gb: number };
  rds: { instance: keyof typeof PRICES.rdsHour; storageGb: number; multiAz: boolean };
}

/** The official registry today (Dec 2026): ~21,000 versions, ~60 publishes a day, ~10 M reads a month. */
export const OFFICIAL_TODAY = { versions: 21_000, publishesPerDay: 60, readsPerMonth: 10e6 };

/** A multiple of today's traffic, with the compute sized for it. */
function scaled(factor: number, sizing: Pick<Scale, 'api' | 'builder' | 'rds'>): Scale {
  return {
    name: factor === 1 ? 'official today' : `${factor}×`,
    versions: OFFICIAL_TODAY.versions * factor,
    publishesPerDay: OFFICIAL_TODAY.publishesPerDay * factor,
    readsPerMonth: OFFICIAL_TODAY.readsPerMonth * factor,
    ...sizing,
  };
}

// Writes stay tiny at every scale (6,000 publishes a day is one every 14 s): the API stays at its
// two-task floor; the builder and the database grow with the registry's size.
const api = { tasks: 2, vcpu: 0.5, gb: 1 };
export const SCALES: Scale[] = [
  scaled(1, {
    api,
    builder: { tasks: 1, vcpu: 1, gb: 2 },
    rds: { instance: 'db.t4g.micro', storageGb: 20, multiAz: false },
  }),
  scaled(10, {
    api,
    builder: { tasks: 1, vcpu: 1, gb: 2 },
    rds: { instance: 'db.t4g.small', storageGb: 50, multiAz: false },
  }),
  scaled(100, {
    api,
    builder: { tasks: 2, vcpu: 2, gb: 4 },
    rds: { instance: 'db.m7g.large', storageGb: 200, multiAz: true },
  }),
];

/** What is assumed rather than measured, each stated in the README. */
export const ASSUMPTIONS = {
  /** Share of reads CloudFront answers from its cache (mutable documents live 60 s). */
  cacheHitRatio: 0.85,
  /** Mean bytes per read on the wire (compressed JSON; list pages are the largest). */
  responseKiB: 6,
  /** Mean bytes per stored object (documents, pages, feed segments; snapshots excluded). */
  objectKiB: 2,
  /** Builds per publish: 1 (no coalescing), the worst case for per-build costs. */
  buildsPerPublish: 1,
  /** NAT traffic (image pulls, logs, Secrets Manager), GB a month. */
  natGb: 10,
  /** Secrets: database URL and master password, two keys, sign-in settings. */
  secrets: 5,
};

export interface Measured {
  source: string;
  versions: number;
  objectsPerPublish: number;
  invalidationPathsPerPublish: number;
  invalidationPathsMeasured: boolean;
  objectsPerVersion: number;
}

interface BuildSize {
  servers: number;
  versions: number;
  full: { objectsWritten: number };
  incremental: { objectsWritten: number; invalidationPaths?: number };
}

/** The builder's measured sizes (bench-results/build.json), one entry per benchmarked registry size. */
export function readMeasured(dir: string = join(ROOT, 'bench-results')): Measured[] {
  const file = join(dir, 'build.json');
  const result = JSON.parse(readFileSync(file, 'utf8')) as { date: string; sizes: Record<string, BuildSize> };
  return Object.values(result.sizes).map((size) => {
    const measured = size.incremental.invalidationPaths;
    return {
      source: `bench-results/build.json (${result.date.slice(0, 10)}, ${size.versions.toLocaleString('en-US')} versions)`,
      versions: size.versions,
      objectsPerPublish: size.incremental.objectsWritten,
      // Derived: all but the build manifest, the one immutable object a publish writes.
      invalidationPathsPerPublish: measured ?? Math.max(0, size.incremental.objectsWritten - 1),
      invalidationPathsMeasured: measured !== undefined,
      objectsPerVersion: size.full.objectsWritten / size.versions,
    };
  });
}

/** The measured size closest to a scale (by ratio of versions). */
export function nearest(measured: Measured[], versions: number): Measured {
  const distance = (m: Measured) => Math.abs(Math.log(m.versions / versions));
  const best = [...measured].sort((a, b) => distance(a) - distance(b))[0];
  if (!best) throw new Error('bench-results/build.json has no sizes');
  return best;
}

export type Strategy = 'per-path' | 'per-build wildcard' | 'TTL only';

/** Invalidation cost a month for each strategy: paths beyond the free 1,000 at $0.005. */
export function invalidationCosts(
  scale: Scale,
  m: Measured,
): Record<Strategy, { paths: number; usd: number }> {
  const publishes = scale.publishesPerDay * DAYS;
  const cost = (paths: number) => ({
    paths,
    usd: Math.max(0, paths - PRICES.invalidationFreePaths) * PRICES.invalidationPath,
  });
  return {
    'per-path': cost(publishes * m.invalidationPathsPerPublish),
    'per-build wildcard': cost(publishes * ASSUMPTIONS.buildsPerPublish),
    'TTL only': cost(0),
  };
}

/**
 * The strategy: the cheapest. All three keep a document's staleness within its own Cache-Control
 * (60 s for mutable documents, which browsers and proxies below CloudFront may keep as long
 * whatever CloudFront does), and a new version's own URL is fresh at once under each.
 */
export function chooseStrategy(costs: Record<Strategy, { usd: number }>): Strategy {
  return (Object.keys(costs) as Strategy[]).sort((a, b) => costs[a].usd - costs[b].usd)[0] as Strategy;
}

export interface Estimate {
  scale: Scale;
  measured: Measured;
  strategy: Strategy;
  invalidation: Record<Strategy, { paths: number; usd: number }>;
  items: Record<string, number>;
  total: number;
}

export function estimate(scale: Scale, measured: Measured[]): Estimate {
  const m = nearest(measured, scale.versions);
  const publishes = scale.publishesPerDay * DAYS;
  const misses = scale.readsPerMonth * (1 - ASSUMPTIONS.cacheHitRatio);
  const storedGb = (scale.versions * m.objectsPerVersion * ASSUMPTIONS.objectKiB) / 1024 ** 2;
  const fargate = (t: Scale['api']) =>
    t.tasks * (t.vcpu * PRICES.fargateVcpuHour + t.gb * PRICES.fargateGbHour) * HOURS;
  const azs = scale.rds.multiAz ? 2 : 1;
  const invalidation = invalidationCosts(scale, m);
  const strategy = chooseStrategy(invalidation);
  const items = {
    's3 requests': (publishes * m.objectsPerPublish * PRICES.s3PutPer1k + misses * PRICES.s3GetPer1k) / 1000,
    's3 storage': storedGb * PRICES.s3StorageGbMonth,
    'cloudfront requests':
      (scale.readsPerMonth / 1e4) * PRICES.cloudfrontHttpsPer10k +
      (scale.readsPerMonth / 1e6) * PRICES.cloudfrontFunctionPerMillion,
    'cloudfront transfer':
      ((scale.readsPerMonth * ASSUMPTIONS.responseKiB) / 1024 ** 2) * PRICES.cloudfrontTransferGb,
    invalidation: invalidation[strategy].usd,
    'fargate (api)': fargate(scale.api),
    'fargate (builder)': fargate(scale.builder),
    rds: azs * (PRICES.rdsHour[scale.rds.instance] * HOURS + scale.rds.storageGb * PRICES.rdsStorageGbMonth),
    'alb, nat, secrets':
      (PRICES.albHour + PRICES.albLcuHour + PRICES.natHour) * HOURS +
      ASSUMPTIONS.natGb * PRICES.natGb +
      ASSUMPTIONS.secrets * PRICES.secretMonth,
  };
  const total = Object.values(items).reduce((a, b) => a + b, 0);
  return { scale, measured: m, strategy, invalidation, items, total };
}

const usd = (n: number) => (n < 10 ? `$${n.toFixed(2)}` : `$${Math.round(n).toLocaleString('en-US')}`);

export function markdownTable(estimates: Estimate[]): string {
  const head = ['per month (USD)', ...estimates.map((e) => e.scale.name)];
  const row = (label: string, cells: string[]) => `| ${label} | ${cells.join(' | ')} |`;
  const lines = [
    row(head[0] as string, head.slice(1)),
    row(
      '---',
      estimates.map(() => '---:'),
    ),
    row(
      'versions · publishes/day · reads/month',
      estimates.map(
        (e) =>
          `${(e.scale.versions / 1000).toLocaleString('en-US')} k · ${e.scale.publishesPerDay.toLocaleString('en-US')} · ${(e.scale.readsPerMonth / 1e6).toLocaleString('en-US')} M`,
      ),
    ),
    row(
      'objects written · invalidation paths per publish',
      estimates.map(
        (e) =>
          `${e.measured.objectsPerPublish} · ${e.measured.invalidationPathsPerPublish}${e.measured.invalidationPathsMeasured ? '' : ' (derived)'}`,
      ),
    ),
    ...Object.keys(estimates[0]?.items ?? {}).map((item) =>
      row(
        item === 'invalidation' ? `invalidation (${estimates[0]?.strategy})` : item,
        estimates.map((e) => usd(e.items[item] ?? 0)),
      ),
    ),
    row(
      '**total**',
      estimates.map((e) => `**${usd(e.total)}**`),
    ),
    row(
      '*invalidation if per path*',
      estimates.map(
        (e) =>
          `*${usd(e.invalidation['per-path'].usd)}* (${e.invalidation['per-path'].paths.toLocaleString('en-US')} paths)`,
      ),
    ),
    row(
      '*invalidation if a wildcard per build*',
      estimates.map((e) => `*${usd(e.invalidation['per-build wildcard'].usd)}*`),
    ),
  ];
  const sizing = estimates.map(
    (e) =>
      `${e.scale.name}: API ${e.scale.api.tasks} × ${e.scale.api.vcpu} vCPU/${e.scale.api.gb} GB, builder ${e.scale.builder.tasks} × ${e.scale.builder.vcpu} vCPU/${e.scale.builder.gb} GB, ${e.scale.rds.instance} ${e.scale.rds.storageGb} GB${e.scale.rds.multiAz ? ' Multi-AZ' : ''}`,
  );
  const sources = [...new Set(estimates.map((e) => e.measured.source))];
  return [
    ...lines,
    '',
    `Measured: ${sources.join('; ')}. Sizing: ${sizing.join('; ')}. Assumed: ${Math.round(ASSUMPTIONS.cacheHitRatio * 100)} % CloudFront hit ratio, ${ASSUMPTIONS.responseKiB} KiB per read, ${ASSUMPTIONS.objectKiB} KiB per stored object, one build per publish, ${ASSUMPTIONS.natGb} GB NAT traffic. List prices before the AWS free tier (CloudFront's always-free 1 TB and 10 M requests a month would cover today's reads).`,
  ].join('\n');
}

export const README_START = '<!-- cost:start (npm run cost -- --write-readme) -->';
export const README_END = '<!-- cost:end -->';

export function withCostTable(readme: string, table: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end < start)
    throw new Error(`README.md has no ${README_START} … ${README_END} section`);
  return `${readme.slice(0, start + README_START.length)}\n${table}\n${readme.slice(end)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean' },
      markdown: { type: 'boolean' },
      'write-readme': { type: 'boolean' },
    },
  });
  const estimates = SCALES.map((scale) => estimate(scale, readMeasured()));
  if (values.json) process.stdout.write(`${JSON.stringify(estimates, null, 2)}\n`);
  else if (values['write-readme']) {
    const path = join(ROOT, 'README.md');
    writeFileSync(path, withCostTable(readFileSync(path, 'utf8'), markdownTable(estimates)));
    process.stderr.write('README.md: cost table updated\n');
  } else process.stdout.write(`${markdownTable(estimates)}\n`);
  if (!values.json) {
    for (const e of estimates) {
      process.stderr.write(
        `${e.scale.name}: ${usd(e.total)}/month; invalidation: ${e.strategy} (per path would be ${usd(e.invalidation['per-path'].usd)})\n`,
      );
    }
  }
}
