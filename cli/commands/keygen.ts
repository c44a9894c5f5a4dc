import { writeFileSync } from 'node:fs';
import { ClientError } from '../../client/errors.js';
import { generateSigningKey, type KeyAlgorithm, proofRecord } from '../../client/keys.js';
import type { CommandContext } from '../io.js';

/**
 * `mcp-registry keygen`: a key pair for DNS/HTTP sign-in. The private key goes to a new file (0600,
 * never overwritten without --force) and is never printed; what to publish is printed: the TXT
 * record and the well-known file's content.
 */
export async function run({ out, options }: CommandContext): Promise<number> {
  const algorithm = options.algorithm as KeyAlgorithm;
  const file = options.out as string;
  const domain = (options.domain as string | undefined) ?? 'example.com';
  const { key, pem } = generateSigningKey(algorithm);
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClientError(
      code === 'EEXIST' ? `${file} exists; pass --force to replace it` : `cannot write ${file}: ${code}`,
      'usage',
    );
  }
  const record = proofRecord(key);
  const wellKnown = `https://${domain}/.well-known/mcp-registry-auth`;
  out.result({ algorithm, keyFile: file, record, txt: `${domain}. IN TXT "${record}"`, wellKnown });
  out.success(`wrote the ${algorithm} private key to ${file} (keep it secret; mode 0600)`);
  out.info('For DNS sign-in (login dns), add this TXT record to the domain:');
  out.data(`${domain}. IN TXT "${record}"`);
  out.info(`For HTTP sign-in (login http), serve this line at ${wellKnown}:`);
  out.data(record);
  out.info(`Then: mcp-registry login dns ${domain} --key ${file}`);
  return 0;
}
