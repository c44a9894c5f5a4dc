import { createPublicKey, ECDH, type KeyObject, verify } from 'node:crypto';
import { verifyDetached } from '../../../core/crypto.js';
import { isValidDomain } from '../../../core/namespaces.js';
import { ProofFailed } from '../provider.js';

/**
 * The proof shared by DNS and HTTP sign-in (official rules): the publisher signs the exact bytes of
 * an RFC 3339 timestamp with a private key whose public half is published as
 * `v=MCPv1; k=<ed25519|ecdsap384>; p=<base64 key>` (in a TXT record at the apex, or in
 * /.well-known/mcp-registry-auth). The timestamp must be within ±15 s of the server's clock; there
 * is no other replay protection. Ed25519 signatures are 64 bytes, ECDSA P-384 ones R‖S (96 bytes,
 * SHA-384 digest); the P-384 key is the 49-byte compressed point. Every well-formed key is tried.
 */
export const TIMESTAMP_WINDOW_SECONDS = 15;

export interface SignedTimestampBody {
  domain: string;
  timestamp: string;
  signed_timestamp: string;
}

export const signedTimestampSchema = {
  type: 'object',
  required: ['domain', 'timestamp', 'signed_timestamp'],
  properties: {
    domain: { type: 'string', maxLength: 253 },
    timestamp: { type: 'string', maxLength: 64 },
    signed_timestamp: { type: 'string', maxLength: 1024 },
  },
} as const;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const RECORD = /v=MCPv1;\s*k=([^;]+);\s*p=([A-Za-z0-9+/=]+)/;

interface PublicKeyInfo {
  algorithm: 'ed25519' | 'ecdsap384';
  raw: Buffer;
  key: KeyObject;
}

/** Throws ProofFailed unless the domain is well-formed and the timestamp within the window. */
export function checkDomainAndTimestamp(domain: string, timestamp: string, now: Date): void {
  if (!isValidDomain(domain)) throw new ProofFailed('invalid domain format');
  const at = RFC3339.test(timestamp) ? Date.parse(timestamp) : Number.NaN;
  if (Number.isNaN(at))
    throw new ProofFailed('invalid timestamp format: expected RFC 3339, e.g. 2026-01-01T00:00:00Z');
  if (Math.abs(at - now.getTime()) > TIMESTAMP_WINDOW_SECONDS * 1000) {
    throw new ProofFailed(`timestamp outside valid window (±${TIMESTAMP_WINDOW_SECONDS} seconds)`);
  }
}

/** Records in the proof format, parsed; a malformed key yields its error. Other text is ignored. */
export function parseKeyRecords(records: readonly string[]): (PublicKeyInfo | Error)[] {
  return records.flatMap((record): (PublicKeyInfo | Error)[] => {
    const match = RECORD.exec(record);
    if (!match?.[1] || !match[2]) return [];
    try {
      return [parsePublicKey(match[1], match[2])];
    } catch (e) {
      return [e as Error];
    }
  });
}

function parsePublicKey(algorithm: string, base64: string): PublicKeyInfo {
  const raw = Buffer.from(base64, 'base64');
  if (algorithm === 'ed25519') {
    if (raw.length !== 32) throw new ProofFailed('invalid Ed25519 public key size');
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    return { algorithm, raw, key };
  }
  if (algorithm === 'ecdsap384') {
    if (raw.length !== 49) throw new ProofFailed('invalid ECDSA P-384 public key size');
    if (raw[0] !== 0x02 && raw[0] !== 0x03) {
      throw new ProofFailed(
        'invalid ECDSA P-384 public key format (must be compressed, with a leading 0x02 or 0x03 byte)',
      );
    }
    let point: Buffer;
    try {
      point = ECDH.convertKey(raw, 'secp384r1', undefined, undefined, 'uncompressed') as Buffer;
    } catch {
      throw new ProofFailed('failed to decompress ECDSA P-384 public key');
    }
    const jwk = {
      kty: 'EC',
      crv: 'P-384',
      x: point.subarray(1, 49).toString('base64url'),
      y: point.subarray(49).toString('base64url'),
    };
    return { algorithm, raw, key: createPublicKey({ key: jwk, format: 'jwk' }) };
  }
  throw new ProofFailed(`unsupported public key algorithm: ${algorithm}`);
}

/** `ed25519:AbCdEfGh`: which published key was tried, without printing all of it. */
export const fingerprint = (k: PublicKeyInfo): string =>
  `${k.algorithm}:${k.raw.toString('base64').slice(0, 8)}`;

/**
 * Verifies `signatureHex` over the timestamp with any of the published keys. `where` names the
 * source in errors ("DNS TXT records", "HTTP response").
 */
export function verifySignedTimestamp(
  records: readonly string[],
  timestamp: string,
  signatureHex: string,
  where: string,
): void {
  if (!/^([0-9a-fA-F]{2})*$/.test(signatureHex))
    throw new ProofFailed('invalid signature format, must be hex');
  const signature = Buffer.from(signatureHex, 'hex');
  const parsed = parseKeyRecords(records);
  if (parsed.length === 0) throw new ProofFailed(`no MCP public key found in ${where}`);
  if (parsed.length === 1 && parsed[0] instanceof Error) throw parsed[0];
  const keys = parsed.filter((k): k is PublicKeyInfo => !(k instanceof Error));
  if (keys.length === 0) throw new ProofFailed('no valid MCP public key found');
  const message = Buffer.from(timestamp, 'utf8');
  let structural: string | undefined;
  for (const k of keys) {
    if (k.algorithm === 'ed25519') {
      if (signature.length !== 64) structural = 'invalid signature size for Ed25519';
      else if (verifyDetached(k.key, message, signature)) return;
    } else if (signature.length !== 96) structural = 'invalid signature size for ECDSA P-384';
    else if (verify('sha384', message, { key: k.key, dsaEncoding: 'ieee-p1363' }, signature)) return;
  }
  if (structural) throw new ProofFailed(structural);
  const tried = keys.map(fingerprint);
  throw new ProofFailed(
    tried.length === 1
      ? `signature verification failed (tried published key ${tried[0]}); if this is not the key you are signing with, the published record may be stale`
      : `signature verification failed against all ${tried.length} published keys (tried: ${tried.join(', ')}); if you recently rotated keys, remove any stale records`,
  );
}
