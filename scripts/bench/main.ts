import { parseArgs } from 'node:util';

/**
 * `npm run bench [-- <name>…] [--clients N --seconds S]`: runs the named benchmarks (all by default)
 * and writes each result to bench-results/<name>.json. Figures, never pass/fail: this machine is
 * shared and noisy, so targets are compared by reading the results, not asserted in tests.
 */
const BENCHES: Record<
  string,
  () => Promise<{ main: (args: Record<string, string | undefined>) => Promise<void> }>
> = {
  publish: () => import('./publish.js'),
  build: () => import('./build.js'),
  s3: () => import('./s3.js'),
  freshness: () => import('./freshness.js'),
  'cli-startup': () => import('./cli-startup.js'),
  mirror: () => import('./mirror.js'),
  adversarial: () => import('./adversarial.js'),
  read: () => import('./read.js'),
  search: () => import('./search.js'),
};

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    clients: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    servers: { type: 'string' },
    'database-url': { type: 'string' },
    'db-servers': { type: 'string' },
    profile: { type: 'string' },
    runs: { type: 'string' },
  },
});
const names = positionals.length ? positionals : Object.keys(BENCHES);
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    process.stderr.write(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exit(2);
  }
  const bench = await load();
  await bench.main({
    ...values,
    databaseUrl: values['database-url'] ?? process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL,
  });
}
