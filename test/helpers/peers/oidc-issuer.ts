import { KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

/**
 * An OIDC issuer on loopback: discovery document, JWKS, and RS256 tokens signed with the key the
 * JWKS publishes (or, for tests, with a key it does not publish). Counts JWKS fetches.
 */
export interface OidcIssuer {
  issuer: string;
  jwksUrl: string;
  jwksFetches(): number;
  sign(claims: JWTPayload, options?: SignOptions): Promise<string>;
  /** The published RSA public key, as PEM/SPKI bytes (for the HS256-with-the-public-key attack). */
  publicKeyPem: string;
  close(): Promise<void>;
}

export interface SignOptions {
  audience?: string | string[];
  issuer?: string;
  /** Seconds from now; null = no `exp` claim. */
  expiresIn?: number | null;
  notBefore?: number;
  /** Sign with a key that is not in the JWKS (same kid, or another). */
  foreignKey?: boolean;
  kid?: string;
}

export async function startOidcIssuer(): Promise<OidcIssuer> {
  const key = await generateKeyPair('RS256', { extractable: true });
  const foreign = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' };
  let fetches = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    res.setHeader('content-type', 'application/json');
    if (path === '/.well-known/openid-configuration') {
      return res.end(
        JSON.stringify({
          issuer,
          jwks_uri: `${issuer}/.well-known/jwks`,
          id_token_signing_alg_values_supported: ['RS256'],
          response_types_supported: ['id_token'],
          subject_types_supported: ['public', 'pairwise'],
        }),
      );
    }
    if (path === '/.well-known/jwks') {
      fetches++;
      return res.end(JSON.stringify({ keys: [jwk] }));
    }
    res.statusCode = 404;
    res.end('{"message":"not found"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const publicKeyPem = KeyObject.from(key.publicKey as Parameters<typeof KeyObject.from>[0])
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return {
    issuer,
    jwksUrl: `${issuer}/.well-known/jwks`,
    jwksFetches: () => fetches,
    publicKeyPem,
    async sign(claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'key-1', typ: 'JWT' })
        .setIssuer(options.issuer ?? issuer)
        .setIssuedAt(now);
      if (options.expiresIn !== null) jwt = jwt.setExpirationTime(now + (options.expiresIn ?? 300));
      if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
      if (options.notBefore !== undefined) jwt = jwt.setNotBefore(now + options.notBefore);
      return jwt.sign(options.foreignKey ? foreign.privateKey : key.privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
