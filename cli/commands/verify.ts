import { readFileSync } from 'node:fs';
import { ClientError } from '../../client/errors.js';
import { checkSnapshot, getRaw, openSignedSite, readRoot, siteBase } from '../../client/site.js';
import { PUBLIC_KEY_PEM_KEY } from '../../core/layout/keys.js';
import type { CommandContext } from '../io.js';

/**
 * `mcp-registry verify <url> [--key <pem>] [--snapshot] [--json]`: what an aggregator (or an operator
 * after a deploy) checks about a published tree, through the site reader (client/site.ts): the root
 * document's signature, and with --snapshot the snapshot pointer's and manifest's signatures, the
 * data's size and sha256, and its item count.
 */
export async function run({ out, args, options }: CommandContext): Promise<number> {
  const base = siteBase(args[0] as string);
  let pem: string;
  const keyFile = options.key as string | undefined;
  if (keyFile) {
    try {
      pem = readFileSync(keyFile, 'utf8');
    } catch (err) {
      throw new ClientError(`cannot read --key ${keyFile}: ${(err as Error).message}`, 'usage');
    }
  } else {
    const url = new URL(PUBLIC_KEY_PEM_KEY, base);
    pem = (await getRaw(url)).toString('utf8');
    out.info(
      `note: the public key came from ${url.href}; that proves the tree is intact, ` +
        'not who wrote it: pin a copy you trust with --key',
    );
  }
  const site = openSignedSite(base, pem);
  const root = await readRoot(site);
  const summary: Record<string, unknown> = {
    site: base.href,
    root: { seq: root.seq, build: root.build, builtAt: root.builtAt },
  };
  out.info(`index.json: signature ok; seq ${root.seq}, build ${root.build}, built at ${root.builtAt}`);
  if (options.snapshot) {
    const snapshot = await checkSnapshot(site);
    summary.snapshot = snapshot;
    out.info(
      `snapshot ${snapshot.day}: signatures ok, sha256 ok; ${snapshot.count} versions up to seq ${snapshot.seq}; ` +
        `replay the feed from cursor ${snapshot.feedCursor}`,
    );
  }
  out.result(summary);
  return 0;
}
