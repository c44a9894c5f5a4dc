import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { memoryIndexObjects } from '../../builder/search-index.js';
import { classifyKey, isGraceKey, isTreeKey } from '../../core/layout/key-shapes.js';
import {
  encodeShardPrefix,
  SEARCH_MANIFEST_KEY,
  searchBucketKey,
  searchShardKey,
} from '../../core/layout/search-keys.js';
import { buildMemoryIndex } from '../../core/search/build-index.js';
import {
  decodePostings,
  docRecord,
  encodePostings,
  encodeShard,
  isSearchManifest,
  termPostings,
} from '../../core/search/index-format.js';
import { prng } from '../helpers/random.js';

describe('search index format', () => {
  it('posting strings round-trip ascending doc ids, one character per dense doc', () => {
    const random = prng(17);
    for (let round = 0; round < 200; round++) {
      const ids: number[] = [];
      let id = -1;
      for (let n = Math.floor(random() * 50); n > 0; n--) {
        id += 1 + Math.floor(random() ** 3 * 5_000_000);
        ids.push(id);
      }
      assert.deepEqual(decodePostings(encodePostings(ids)), ids);
    }
    assert.equal(encodePostings([0, 1, 2, 40]), 'AAAlB');
    assert.equal(encodePostings([...Array(1000).keys()]).length, 1000);
    assert.throws(() => encodePostings([3, 3]), /ascend/);
    assert.throws(() => decodePostings('A!'), /not a posting character/);
    assert.throws(() => decodePostings('g'), /ends inside a number/);
  });

  it('shards keep terms in order and drop trailing empty slots', () => {
    const shard = encodeShard(
      new Map([
        ['weather', [[0, 1], [], [2], [], [], [], []]],
        ['web', [[], [], [], [], [], [], []]],
        ['we', [[5], [], [], [], [], [], []]],
      ]),
    );
    assert.equal(JSON.stringify(shard), '{"we":["F"],"weather":["AA","","C"]}');
    assert.deepEqual(termPostings(shard, 'weather'), [[0, 1], [], [2]]);
    assert.deepEqual(termPostings(shard, 'nothing'), []);
  });

  it('records hold what a result shows', () => {
    const record = docRecord(
      {
        name: 'io.github.alice/weather',
        version: '1.0.0',
        title: 'Weather',
        description: 'Forecasts',
        packages: [
          {
            registryType: 'npm',
            identifier: '@alice/weather',
            version: '1.0.0',
            transport: { type: 'stdio' },
          },
          'junk',
        ],
        remotes: [{ type: 'streamable-http', url: 'https://w.example.com/mcp', headers: [] }],
      },
      'deprecated',
    );
    assert.deepEqual(record, [
      'io.github.alice/weather',
      'Weather',
      'Forecasts',
      '1.0.0',
      'deprecated',
      [{ registryType: 'npm', identifier: '@alice/weather', version: '1.0.0', transport: 'stdio' }],
      [{ type: 'streamable-http', url: 'https://w.example.com/mcp' }],
    ]);
  });

  it('keys stay in the tree alphabet and classify; shards and buckets get a grace period', () => {
    const hash = 'a1b2c3d4e5f6';
    for (const prefix of ['we', '12', 'ca', 'é1', '日本', '𝒳y']) {
      const key = searchShardKey(prefix, hash);
      assert.match(key, /^[A-Za-z0-9._~/-]+$/, key);
      assert.equal(isTreeKey(key), true, key);
      assert.equal(isGraceKey(key), true, key);
      assert.equal(classifyKey(key)?.kind, 'search-terms', key);
    }
    assert.equal(encodeShardPrefix('日本'), '~E6~97~A5~E6~9C~AC');
    assert.throws(() => encodeShardPrefix('abc'), /not a shard prefix/);
    assert.deepEqual(classifyKey(searchBucketKey(12, hash)), {
      kind: 'search-docs',
      bucket: 12,
      hash,
      signature: false,
    });
    assert.equal(isGraceKey(SEARCH_MANIFEST_KEY), false);
    assert.equal(classifyKey(SEARCH_MANIFEST_KEY)?.kind, 'search-manifest');
    for (const bad of [
      'search/terms/we.A1B2C3D4E5F6.json',
      'search/terms/w.a1b2c3d4e5f6.json',
      'search/docs/01.a1b2c3d4e5f6.json',
      'search/x.json',
    ])
      assert.equal(isTreeKey(bad), false, bad);
  });

  it('an index built in memory: same servers give the same bytes, and the manifest names every object', () => {
    const servers = [
      { doc: 0, server: { name: 'io.github.alice/weather', version: '1.0.0', description: 'Forecasts' } },
      { doc: 70, server: { name: 'com.example/café-maps', version: '2.0.0', title: 'Café Maps' } },
    ].map((s) => ({ ...s, status: 'active' as const }));
    const first = memoryIndexObjects(buildMemoryIndex(servers));
    const again = memoryIndexObjects(buildMemoryIndex(servers));
    assert.deepEqual(
      first.map((o) => [o.key, o.sha256]),
      again.map((o) => [o.key, o.sha256]),
    );
    const manifest = JSON.parse(Buffer.from((first.at(-1) as { body: Uint8Array }).body).toString());
    assert.equal(isSearchManifest(manifest), true);
    assert.equal(manifest.servers, 2);
    assert.equal(manifest.buckets[0] !== null && manifest.buckets[1] !== null, true);
    const keys = new Set(first.map((o) => o.key));
    for (const stem of Object.values(manifest.shards)) assert.ok(keys.has(`search/terms/${stem}.json`));
    assert.ok(manifest.shards.ca, 'café folds to cafe');
    for (const o of first) assert.equal(isTreeKey(o.key), true, o.key);
  });

  it('the client and everything it imports run in a browser: no Node module, no Buffer', () => {
    const root = join(import.meta.dirname, '..', '..');
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      assert.doesNotMatch(source, /\bBuffer\b|process\./, file);
      for (const [, spec] of source.matchAll(/from '([^']+)'/g)) {
        assert.match(spec as string, /^\.\.?\//, `${file} imports ${spec}`);
        visit(resolve(dirname(file), (spec as string).replace(/\.js$/, '.ts')));
      }
    };
    visit(join(root, 'client', 'search.ts'));
    assert.deepEqual([...seen].map((f) => f.slice(root.length + 1)).sort(), [
      'client/search.ts',
      'core/search/index-format.ts',
      'core/search/rank.ts',
      'core/search/text.ts',
    ]);
  });
});
