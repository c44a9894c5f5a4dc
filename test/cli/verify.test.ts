import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type LocalCdn, startLocalCdn } from '../../cdn/local-server.js';
import { type Io, run } from '../../cli/main.js';
import { replayFeed } from '../../client/site.js';
import { freePort } from '../../scripts/bench/util.js';
import { ANON } from '../helpers/app.js';
import { type BuildFixture, useBuildFixture } from '../helpers/builder.js';
import { openTestPGlite } from '../helpers/db.js';
import { captureIo } from '../helpers/io.js';

async function verify(...args: string[]) {
  const io = captureIo();
  const code = await run(['verify', ...args], io);
  return { code, out: io.out.join('\n'), err: io.err.join('\n') };
}

/** `mcp-registry verify` against a built tree served by the local CDN, as an aggregator would run it. */
describe('verify command', () => {
  let f: BuildFixture;
  let cdn: LocalCdn;
  let keyFile: string;
  let scratch: string;
  useBuildFixture({ name: 'pglite', open: openTestPGlite }, (fixture) => {
    f = fixture;
  });
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'mcpreg-verify-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  async function buildAndServe(): Promise<void> {
    await f.publish({ name: `${ANON}/alpha`, version: '1.0.0' });
    await f.publish({ name: `${ANON}/alpha`, version: '1.1.0' });
    await f.publish({ name: `${ANON}/beta`, version: '0.1.0' });
    await f.setStatus(`${ANON}/beta`, '0.1.0', 'deleted');
    assert.equal((await f.build('snapshot')).status, 'succeeded');
    // No hot cache: the test edits files behind the store's back, as a tampered site would.
    cdn = await startLocalCdn({ root: f.root, port: 0, cache: { maxBytes: 0 } });
    keyFile = join(scratch, 'pinned.pem');
    writeFileSync(keyFile, f.signer.publicKeyPem);
  }

  it('checks the root and the snapshot, with the key from the site or a pinned one', async () => {
    await buildAndServe();
    try {
      const fetched = await verify(cdn.url);
      assert.equal(fetched.code, 0, fetched.err);
      assert.match(fetched.err, /pin a copy you trust with --key/);
      assert.match(fetched.err, /index\.json: signature ok; seq 4/);

      // A read API URL is accepted for its site; --json gives the summary.
      const pinned = await verify(`${cdn.url}/v0.1`, '--key', keyFile, '--snapshot', '--json');
      assert.equal(pinned.code, 0, pinned.err);
      assert.doesNotMatch(pinned.err, /pin a copy/);
      const summary = JSON.parse(pinned.out) as {
        root: { seq: number };
        snapshot: { count: number; seq: number; feedCursor: string };
      };
      assert.equal(summary.root.seq, 4);
      assert.deepEqual([summary.snapshot.count, summary.snapshot.seq], [3, 4]);
      assert.match(summary.snapshot.feedCursor, /^feed:/);

      // The site reader's feed replay from the snapshot's cursor reaches the tail (no nextCursor)
      // and, applied in order (later wins), gives every version's current status.
      const state = new Map<string, string | undefined>();
      let pages = 0;
      let tail: string | undefined = 'not reached';
      for await (const page of replayFeed<{
        server: { name: string; version: string };
        _meta: Record<string, { status?: string }>;
      }>(cdn.url, summary.snapshot.feedCursor)) {
        pages++;
        tail = page.nextCursor;
        for (const e of page.servers) {
          state.set(
            `${e.server.name}@${e.server.version}`,
            e._meta['io.modelcontextprotocol.registry/official']?.status,
          );
        }
      }
      assert.ok(pages >= 1);
      assert.equal(tail, undefined, 'the last page yielded is the tail');
      assert.deepEqual(Object.fromEntries(state), {
        [`${ANON}/alpha@1.0.0`]: 'active',
        [`${ANON}/alpha@1.1.0`]: 'active',
        [`${ANON}/beta@0.1.0`]: 'deleted',
      });
    } finally {
      await cdn.close();
    }
  });

  it('fails with a plain message on a tampered document, a foreign key, bad data or no site', async () => {
    await buildAndServe();
    try {
      const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' });
      const otherFile = join(scratch, 'other.pem');
      writeFileSync(otherFile, other);
      const foreign = await verify(cdn.url, '--key', otherFile);
      assert.equal(foreign.code, 1);
      assert.match(foreign.err, /^error: index\.json: the signature does not verify with the key$/m);

      // The snapshot's data changed after it was signed.
      const pointer = JSON.parse(readFileSync(join(f.root, 'snapshots', 'latest.json'), 'utf8')) as {
        data: string;
      };
      const dataFile = join(f.root, ...pointer.data.split('/'));
      const original = readFileSync(dataFile);
      const flipped = Buffer.from(original);
      flipped[flipped.length - 1] = (flipped[flipped.length - 1] as number) ^ 1;
      writeFileSync(dataFile, flipped);
      const data = await verify(cdn.url, '--key', keyFile, '--snapshot');
      assert.equal(data.code, 1);
      assert.match(
        data.err,
        /^error: snapshots\/.+\/servers\.json\.gz: sha256 [0-9a-f]{64}, the manifest says/m,
      );
      appendFileSync(dataFile, Buffer.from([0]));
      const longer = await verify(cdn.url, '--key', keyFile, '--snapshot');
      assert.match(longer.err, /servers\.json\.gz: \d+ bytes, the manifest says \d+$/m);

      // No snapshot yet (the nightly build has not run): said so, with what to do.
      const pointerFile = join(f.root, 'snapshots', 'latest.json');
      const pointerBytes = readFileSync(pointerFile);
      rmSync(pointerFile);
      const none = await verify(cdn.url, '--key', keyFile, '--snapshot');
      assert.equal(none.code, 1);
      assert.match(none.err, /^error: no snapshot is published yet .*build --kind snapshot$/m);
      // A signed pointer that names something outside the tree is refused before any request.
      const escaping = Buffer.from(
        JSON.stringify({ ...JSON.parse(pointerBytes.toString('utf8')), manifest: '../../x' }),
      );
      const pointerSig = readFileSync(`${pointerFile}.sig`);
      writeFileSync(pointerFile, escaping);
      writeFileSync(`${pointerFile}.sig`, f.signer.sign(escaping));
      const outside = await verify(cdn.url, '--key', keyFile, '--snapshot');
      assert.equal(outside.code, 1);
      assert.match(outside.err, /^error: "\.\.\/\.\.\/x" is not a key of the registry tree$/m);
      writeFileSync(pointerFile, pointerBytes);
      writeFileSync(`${pointerFile}.sig`, pointerSig);

      // The root changed after it was signed.
      appendFileSync(join(f.root, 'index.json'), ' ');
      const root = await verify(cdn.url, '--key', keyFile);
      assert.equal(root.code, 1);
      assert.match(root.err, /index\.json: the signature does not verify/);
    } finally {
      await cdn.close();
    }
    const closed = await verify(`http://127.0.0.1:${await freePort()}`, '--key', keyFile);
    assert.equal(closed.code, 1);
    assert.match(closed.err, /^error: GET http:\/\/127\.0\.0\.1:\d+\/index\.json: .*ECONNREFUSED/m);

    for (const args of [
      [],
      ['not a url'],
      ['http://x', 'y'],
      ['http://x', '--key', join(scratch, 'missing.pem')],
    ]) {
      const usage = await verify(...args);
      assert.equal(usage.code, 2, args.join(' '));
      assert.match(usage.err, /^error: /);
    }
  });
});
