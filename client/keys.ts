import {
  createECDH,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
} from 'node:crypto';
import { ed25519KeyFromSeed } from '../core/crypto.js';
import { ClientError } from './errors.js';

/**
 * The keys of DNS and HTTP sign-in, as the official registry checks them: the signed message is the
 * exact RFC 3339 timestamp string; Ed25519 signs it as is, ECDSA P-384 signs its SHA-384 digest and
 * the signature is R‖S (96 bytes); both are sent hex-encoded. The public key is published as
 * `v=MCPv1; k=<algorithm>; p=<base64>` (Ed25519: the raw 32 bytes; P-384: the 49-byte compressed point).
 */
export type KeyAlgorithm = 'ed25519' | 'ecdsap384';
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['ed25519', 'ecdsap384'];

export interface SigningKey {
  algorithm: KeyAlgorithm;
  privateKey: KeyObject;
}

/**
 * A private key from a file's text: PEM (PKCS#8, what `keygen` writes, or OpenSSL's own) or hex as
 * `mcp-publisher --private-key` takes it (64 hex chars: an Ed25519 seed; 96: a P-384 scalar).
 */
export function parseSigningKey(text: string, what: string): SigningKey {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]+$/.test(trimmed)) {
    const raw = Buffer.from(trimmed, 'hex');
    if (raw.length === 32) return { algorithm: 'ed25519', privateKey: ed25519KeyFromSeed(raw).privateKey };
    if (raw.length === 48) return { algorithm: 'ecdsap384', privateKey: p384FromScalar(raw) };
    throw new ClientError(
      `${what}: a hex key is 64 characters (Ed25519 seed) or 96 (P-384), not ${trimmed.length}`,
      'usage',
    );
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(trimmed);
  } catch {
    throw new ClientError(`${what} is not a private key (PEM or hex)`, 'usage');
  }
  if (privateKey.asymmetricKeyType === 'ed25519') return { algorithm: 'ed25519', privateKey };
  if (privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'secp384r1') {
    return { algorithm: 'ecdsap384', privateKey };
  }
  throw new ClientError(
    `${what} is a ${privateKey.asymmetricKeyType} key; sign-in takes Ed25519 or ECDSA P-384`,
    'usage',
  );
}

function p384FromScalar(scalar: Buffer): KeyObject {
  const ecdh = createECDH('secp384r1');
  try {
    ecdh.setPrivateKey(scalar);
  } catch {
    throw new ClientError('not a valid P-384 private key', 'usage');
  }
  const point = ecdh.getPublicKey(); // 0x04 ‖ X ‖ Y
  const b64 = (b: Buffer) => b.toString('base64url');
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-384',
      d: b64(scalar),
      x: b64(point.subarray(1, 49)),
      y: b64(point.subarray(49)),
    },
    format: 'jwk',
  });
}

/** The current time as the official CLI formats it: RFC 3339, UTC, whole seconds. */
export function signInTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The hex signature over the exact timestamp string. */
export function signTimestamp(key: SigningKey, timestamp: string): string {
  const message = Buffer.from(timestamp, 'utf8');
  const signature =
    key.algorithm === 'ed25519'
      ? sign(null, message, key.privateKey)
      : sign('sha384', message, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return signature.toString('hex');
}

/** `v=MCPv1; k=…; p=…`: the DNS TXT record and the body of `/.well-known/mcp-registry-auth`. */
export function proofRecord(key: SigningKey): string {
  const jwk = createPublicKey(key.privateKey).export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  if (key.algorithm === 'ed25519') return `v=MCPv1; k=ed25519; p=${x.toString('base64')}`;
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  const compressed = Buffer.concat([Buffer.from([(y.at(-1) ?? 0) & 1 ? 0x03 : 0x02]), x]);
  return `v=MCPv1; k=ecdsap384; p=${compressed.toString('base64')}`;
}

/** A new key pair; the private key as PKCS#8 PEM. */
export function generateSigningKey(algorithm: KeyAlgorithm): { key: SigningKey; pem: string } {
  const { privateKey } =
    algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return {
    key: { algorithm, privateKey },
    pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}
