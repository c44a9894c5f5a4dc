import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  chooseStrategy,
  estimate,
  invalidationCosts,
  markdownTable,
  README_END,
  README_START,
  ROOT,
  readMeasured,
  SCALES,
  withCostTable,
} from '../../scripts/cost.js';

/** The cost model reads what the builder was measured to do, so the table moves when the builder does. */
const dir = mkdtempSync(join(tmpdir(), 'mcpreg-cost-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function benchWith(incremental: Record<string, number>, versions = 50_000): void {
  writeFileSync(
    join(dir, 'build.json'),
    JSON.stringify({
      date: '2026-12-04T00:00:00.000Z',
      sizes: { '10000': { servers: 10_000, versions, full: { objectsWritten: 3 * versions }, incremental } },
    }),
  );
}
const today = SCALES[0]!;

describe('cost model (scripts/cost.ts)', () => {
  it('derives invalidation paths per publish from the objects a publish writes, or reads them when measured', () => {
    benchWith({ objectsWritten: 16 });
    const [derived] = readMeasured(dir);
    assert.deepEqual([derived?.objectsPerPublish, derived?.invalidationPathsPerPublish], [16, 15]);
    assert.equal(derived?.invalidationPathsMeasured, false);
    assert.equal(derived?.objectsPerVersion, 3);
    benchWith({ objectsWritten: 12, invalidationPaths: 7 });
    const [measured] = readMeasured(dir);
    assert.deepEqual([measured?.objectsPerPublish, measured?.invalidationPathsPerPublish], [12, 7]);
  });

  it('charges invalidation paths beyond the free 1,000 a month, and follows the measured figures', () => {
    benchWith({ objectsWritten: 16 });
    const sixteen = estimate(today, readMeasured(dir));
    // 60 publishes a day × 30 days × 15 paths = 27,000 paths; 26,000 paid at $0.005.
    assert.deepEqual(sixteen.invalidation['per-path'], { paths: 27_000, usd: 130 });
    assert.deepEqual(sixteen.invalidation['per-build wildcard'], { paths: 1_800, usd: 4 });
    benchWith({ objectsWritten: 11 });
    const eleven = estimate(today, readMeasured(dir));
    assert.deepEqual(eleven.invalidation['per-path'], { paths: 18_000, usd: 85 });
    assert.ok(
      eleven.items['s3 requests']! < sixteen.items['s3 requests']!,
      'fewer PUTs per publish cost less',
    );
  });

  it('chooses the cheapest strategy, and a scale under the free paths pays nothing for any', () => {
    benchWith({ objectsWritten: 16 });
    const m = readMeasured(dir);
    assert.equal(chooseStrategy(invalidationCosts(today, m[0]!)), 'TTL only');
    const quiet = { ...today, publishesPerDay: 1 };
    const costs = invalidationCosts(quiet, m[0]!);
    assert.deepEqual(
      Object.values(costs).map((c) => c.usd),
      [0, 0, 0],
    );
  });

  it('is what the README says: its table is this script run on bench-results/', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = markdownTable(SCALES.map((scale) => estimate(scale, readMeasured())));
    assert.ok(readme.includes(README_START) && readme.includes(README_END), 'README has the cost markers');
    assert.equal(
      readme,
      withCostTable(readme, table),
      'README cost table is stale: npm run cost -- --write-readme',
    );
  });
});
