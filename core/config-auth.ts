import { z } from 'zod';
import type { Permission } from './permissions.js';

/**
 * The sign-in, rate-limit and proxy settings (part of loadConfig: core/config.ts spreads these
 * variables into its one schema and `authSettings` into the Config). .env.example documents each.
 */
export const PUBLISHER_METHODS = ['github-at', 'github-oidc', 'dns', 'http'] as const;
export type PublisherMethod = (typeof PUBLISHER_METHODS)[number];

export interface AuthConfig {
  /** Publisher sign-in methods that are on (anonymous: enableAnonymousAuth; admin OIDC: `oidc`). */
  methods: ReadonlySet<PublisherMethod>;
  github: { apiUrl: string; clientId: string | undefined };
  githubOidc: { issuer: string; jwksUrl: string };
  /** Admin OIDC (`POST /auth/oidc`); undefined = off. */
  oidc:
    | {
        issuer: string;
        audience: string;
        /** undefined = the issuer's discovery document's `jwks_uri`. */
        jwksUrl: string | undefined;
        extraClaims: Record<string, unknown>;
        permissions: Permission[];
      }
    | undefined;
  /** `host:port` DNS servers for proofs and outbound requests; undefined = the system resolver. */
  dnsServers: string[] | undefined;
  /** Development and tests only: names the HTTP proof may reach on any address, each with an optional port. */
  httpAllowHosts: ReadonlyMap<string, number | undefined>;
}

export interface RateLimitConfig {
  /** Requests per minute per client address; 0 = no limit. */
  authPerMinute: number;
  writePerMinute: number;
}

const httpUrl = z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL');
const perMinute = z.coerce.number().int().min(0).max(1_000_000);

const jsonClaims = z.string().transform((text, ctx) => {
  try {
    const value: unknown = JSON.parse(text);
    // The official setting is an array of objects; a single object is accepted too.
    const list = Array.isArray(value) ? value : [value];
    if (list.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) {
      return Object.assign({}, ...list) as Record<string, unknown>;
    }
  } catch {}
  ctx.addIssue({
    code: 'custom',
    message: 'must be a JSON object of claim values, e.g. {"hd":"example.com"}',
  });
  return z.NEVER;
});

const permissionList = z.string().transform((text, ctx) => {
  const permissions: Permission[] = [];
  for (const item of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [action, resource] = [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)];
    if ((action !== 'publish' && action !== 'edit') || !resource || !item.includes(':')) {
      ctx.addIssue({
        code: 'custom',
        message: `"${item}" is not action:pattern (publish:* or edit:com.example/*)`,
      });
      return z.NEVER;
    }
    permissions.push({ action, resource });
  }
  return permissions;
});

const hostPort = /^[^\s:,]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

export const AUTH_ENV = {
  AUTH_METHODS: z
    .string()
    .default(PUBLISHER_METHODS.join(','))
    .refine(
      (v) =>
        v.trim() === 'none' ||
        v
          .split(',')
          .every((m) => m.trim() === '' || (PUBLISHER_METHODS as readonly string[]).includes(m.trim())),
      {
        message: `must list methods from ${PUBLISHER_METHODS.join(', ')} (or "none" for no publisher sign-in)`,
      },
    ),
  GITHUB_API_URL: httpUrl.default('https://api.github.com'),
  GITHUB_CLIENT_ID: z.string().optional(),
  GITHUB_OIDC_ISSUER: httpUrl.default('https://token.actions.githubusercontent.com'),
  GITHUB_OIDC_JWKS_URL: httpUrl.optional(),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_AUDIENCE: z.string().optional(),
  OIDC_JWKS_URL: httpUrl.optional(),
  OIDC_EXTRA_CLAIMS: jsonClaims.optional(),
  OIDC_PERMISSIONS: permissionList.default([
    { action: 'publish', resource: '*' },
    { action: 'edit', resource: '*' },
  ]),
  DNS_SERVERS: z
    .string()
    .refine((v) => v.split(',').every((s) => hostPort.test(s.trim())), 'must be comma-separated host:port')
    .optional(),
  HTTP_AUTH_ALLOW_HOSTS: z
    .string()
    .refine(
      (v) => v.split(',').every((s) => /^[a-zA-Z0-9.-]+(:\d{1,5})?$/.test(s.trim())),
      'must be comma-separated host[:port]',
    )
    .optional(),
  RATE_LIMIT_AUTH_PER_MINUTE: perMinute.optional(),
  RATE_LIMIT_WRITE_PER_MINUTE: perMinute.optional(),
  TRUST_PROXY: z.string().default('false'),
};

const AuthEnvSchema = z.object(AUTH_ENV);
type AuthEnv = z.output<typeof AuthEnvSchema>;

/** Cross-field rules, listed with every other problem by loadConfig. */
export function authProblems(e: Partial<AuthEnv>): string[] {
  if (e.OIDC_ISSUER && !e.OIDC_AUDIENCE) return ['OIDC_AUDIENCE: required when OIDC_ISSUER is set'];
  return [];
}

export function authSettings(
  e: AuthEnv,
  embedded: boolean,
): { auth: AuthConfig; rateLimit: RateLimitConfig; trustProxy: boolean | string[] } {
  const methods = new Set(
    e.AUTH_METHODS.split(',')
      .map((m) => m.trim())
      .filter((m): m is PublisherMethod => (PUBLISHER_METHODS as readonly string[]).includes(m)),
  );
  const issuer = e.GITHUB_OIDC_ISSUER.replace(/\/$/, '');
  return {
    auth: {
      methods,
      github: { apiUrl: e.GITHUB_API_URL.replace(/\/$/, ''), clientId: e.GITHUB_CLIENT_ID },
      githubOidc: { issuer, jwksUrl: e.GITHUB_OIDC_JWKS_URL ?? `${issuer}/.well-known/jwks` },
      oidc:
        e.OIDC_ISSUER && e.OIDC_AUDIENCE
          ? {
              issuer: e.OIDC_ISSUER,
              audience: e.OIDC_AUDIENCE,
              jwksUrl: e.OIDC_JWKS_URL,
              extraClaims: e.OIDC_EXTRA_CLAIMS ?? {},
              permissions: e.OIDC_PERMISSIONS,
            }
          : undefined,
      dnsServers: e.DNS_SERVERS?.split(',').map((s) => s.trim()),
      httpAllowHosts: new Map(
        (e.HTTP_AUTH_ALLOW_HOSTS ?? '')
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean)
          .map((s) => {
            const [host = '', port] = s.split(':');
            return [host, port ? Number(port) : undefined] as const;
          }),
      ),
    },
    // Limits guard a public deployment; the embedded development default has none.
    rateLimit: {
      authPerMinute: e.RATE_LIMIT_AUTH_PER_MINUTE ?? (embedded ? 0 : 30),
      writePerMinute: e.RATE_LIMIT_WRITE_PER_MINUTE ?? (embedded ? 0 : 300),
    },
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
  };
}

/** `false` (default), `true` (any proxy), or comma-separated addresses/CIDRs of the trusted proxies. */
function parseTrustProxy(value: string): boolean | string[] {
  if (['false', '0', 'no', ''].includes(value)) return false;
  if (['true', '1', 'yes'].includes(value)) return true;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
