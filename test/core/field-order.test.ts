import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  feedPageDocument,
  latestDocument,
  pageDocument,
  versionDocument,
  versionsListDocument,
} from '../../core/layout/documents.js';
import { orderObject, SERVER_SHAPE } from '../../core/layout/field-order.js';
import type { ServerJson } from '../../core/server-json.js';
import { toServerResponse, type VersionRecord } from '../../core/shapes.js';

/** What the official registry served (2025-12), in its own field order. */
const sample = JSON.parse(
  readFileSync(new URL('../../../shared/fixtures/official-api-sample.json', import.meta.url), 'utf8'),
) as { servers: { server: ServerJson }[] };

/** Every object's keys reversed, at every depth: the worst order a publisher (or jsonb) can give. */
function scramble(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scramble);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse())
    out[key] = scramble((value as Record<string, unknown>)[key]);
  return out;
}

function record(value: ServerJson, extra: Partial<VersionRecord> = {}): VersionRecord {
  return {
    serverName: value.name,
    version: value.version,
    value,
    status: 'active',
    statusChangedAt: '2026-01-01T00:00:00.000000Z',
    statusMessage: null,
    publishedAt: '2026-01-01T00:00:00.000000Z',
    updatedAt: '2026-01-01T00:00:00.000000Z',
    isLatest: true,
    seq: 1,
    ...extra,
  };
}

describe('official field order', () => {
  test('every entry the official registry served comes out byte for byte in its order, from any order', () => {
    assert.ok(sample.servers.length >= 200);
    for (const { server } of sample.servers) {
      const rendered = toServerResponse(record(scramble(server) as ServerJson));
      assert.equal(JSON.stringify(rendered.server), JSON.stringify(server), server.name);
    }
  });

  test('the wrapper: server then _meta; official fields in the official order', () => {
    const server = sample.servers[0]?.server as ServerJson;
    const rendered = toServerResponse(record(server, { status: 'deprecated', statusMessage: 'use 2' }));
    assert.deepEqual(Object.keys(rendered), ['server', '_meta']);
    assert.deepEqual(Object.keys(rendered._meta['io.modelcontextprotocol.registry/official']), [
      'status',
      'statusChangedAt',
      'statusMessage',
      'publishedAt',
      'updatedAt',
      'isLatest',
    ]);
  });

  test('unknown fields follow the known ones in the publisher order; __proto__ stays data', () => {
    const doc = JSON.parse(
      '{"zeta":1,"version":"1.0.0","__proto__":{"x":1},"name":"io.github.a/b","alpha":2,"description":"d",' +
        '"packages":[{"extra":true,"identifier":"p","registryType":"npm","transport":{"url":"u","type":"stdio"}}]}',
    );
    const ordered = orderObject(doc, SERVER_SHAPE) as Record<string, unknown>;
    assert.deepEqual(Object.keys(ordered), [
      'name',
      'description',
      'version',
      'packages',
      'zeta',
      '__proto__',
      'alpha',
    ]);
    assert.equal(Object.getPrototypeOf(ordered), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(ordered, '__proto__')?.value, { x: 1 });
    const pkg = (ordered.packages as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.deepEqual(Object.keys(pkg), ['registryType', 'identifier', 'transport', 'extra']);
    assert.deepEqual(Object.keys(pkg.transport as object), ['type', 'url']);
  });

  test('every document kind renders server in the official order', () => {
    const server = scramble({
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name: 'io.github.a/b',
      description: 'd',
      title: 't',
      repository: { url: 'https://github.com/a/b', source: 'github' },
      version: '1.0.0',
      websiteUrl: 'https://a.example',
      remotes: [{ type: 'streamable-http', url: 'https://a.example/mcp' }],
      _meta: { 'io.modelcontextprotocol.registry/publisher-provided': { a: 2, z: 1 } },
    }) as ServerJson;
    const expected = [
      '$schema',
      'name',
      'description',
      'title',
      'repository',
      'version',
      'websiteUrl',
      'remotes',
      '_meta',
    ];
    const r = record(server);
    const documents = [
      versionsListDocument([r], false)?.servers[0],
      latestDocument([r], true),
      versionDocument(r, false),
      pageDocument([r], undefined).servers[0],
      feedPageDocument([toServerResponse(r)], undefined).servers[0],
    ];
    for (const doc of documents) {
      assert.ok(doc);
      assert.deepEqual(Object.keys(doc.server), expected);
      // Publisher-provided _meta is a Go map upstream: served with its keys sorted.
      assert.deepEqual(
        Object.keys(doc.server._meta?.['io.modelcontextprotocol.registry/publisher-provided'] ?? {}),
        ['a', 'z'],
      );
    }
  });
});
