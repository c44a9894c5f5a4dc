import type { ValidationResult } from '../core/validation/types.js';
import { ClientError } from './errors.js';
import { requestJson } from './http.js';

/**
 * The write API's client, speaking the official request bodies (so it also works against the
 * official registry): sign-in exchanges, publish, validate, status changes, domain verification.
 * Every route is under `/v0` of the registry URL.
 */

/** `POST /v0/auth/{method}` answers this (the official shape). */
export interface RegistryToken {
  registry_token: string;
  /** Unix seconds. */
  expires_at: number;
}

export type SignInMethod = 'github-at' | 'github-oidc' | 'dns' | 'http' | 'oidc' | 'none';

export type StatusValue = 'active' | 'deprecated' | 'deleted';

export interface StatusChange {
  status: StatusValue;
  statusMessage?: string;
}

/** A published version as the API answers it: `{server, _meta}` (only what the CLI reads is typed). */
export interface ServerResponse {
  server: { name: string; version: string; [key: string]: unknown };
  _meta?: {
    'io.modelcontextprotocol.registry/official'?: {
      status?: string;
      publishedAt?: string;
      isLatest?: boolean;
    };
  };
}

/** A registry (or site) URL as a key: no trailing slash, no `/v0` or `/v0.1` suffix, no query; http(s) only. */
export function normalizeRegistryUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ClientError(`not a URL: ${JSON.stringify(raw)}`, 'usage');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientError(`the registry URL must be http:// or https://, not ${url.protocol}`, 'usage');
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/v0(\.1)?$/, '');
  return `${url.origin}${path}`;
}

const enc = encodeURIComponent;

export interface RegistryClient {
  readonly url: string;
  health(): Promise<{ status?: string; github_client_id?: string; [key: string]: unknown }>;
  /** `POST /v0/auth/{method}` with the method's official body (`none` sends no body). */
  signIn(method: SignInMethod, body?: Record<string, string>): Promise<RegistryToken>;
  publish(serverJson: unknown, token: string): Promise<ServerResponse>;
  validate(serverJson: unknown): Promise<ValidationResult>;
  setVersionStatus(
    name: string,
    version: string,
    change: StatusChange,
    token: string,
  ): Promise<ServerResponse>;
  setAllVersionsStatus(name: string, change: StatusChange, token: string): Promise<{ updatedCount?: number }>;
  requestDomain(domain: string, token: string | undefined): Promise<DomainChallenge>;
  checkDomain(domain: string, token: string | undefined): Promise<Record<string, unknown>>;
  listDomains(token: string | undefined): Promise<unknown>;
}

/** `POST /v0/verify-domain` answers the TXT record to add. */
export interface DomainChallenge {
  domain: string;
  txt_record: string;
  expires_at: string | number;
}

export function createRegistryClient(registryUrl: string): RegistryClient {
  const base = normalizeRegistryUrl(registryUrl);
  const api = (path: string) => `${base}/v0${path}`;
  return {
    url: base,
    async health() {
      return (await requestJson<Record<string, unknown>>(api('/health'))).body;
    },
    async signIn(method, body) {
      const answer = await requestJson<RegistryToken>(api(`/auth/${method}`), {
        method: 'POST',
        ...(body ? { body } : {}),
      });
      const token = answer.body;
      if (!token || typeof token.registry_token !== 'string' || typeof token.expires_at !== 'number') {
        throw new ClientError(`POST ${api(`/auth/${method}`)}: the answer has no registry_token`);
      }
      return token;
    },
    async publish(serverJson, token) {
      return (await requestJson<ServerResponse>(api('/publish'), { method: 'POST', body: serverJson, token }))
        .body;
    },
    async validate(serverJson) {
      return (await requestJson<ValidationResult>(api('/validate'), { method: 'POST', body: serverJson }))
        .body;
    },
    async setVersionStatus(name, version, change, token) {
      const url = api(`/servers/${enc(name)}/versions/${enc(version)}/status`);
      return (await requestJson<ServerResponse>(url, { method: 'PATCH', body: change, token })).body;
    },
    async setAllVersionsStatus(name, change, token) {
      const url = api(`/servers/${enc(name)}/status`);
      return (await requestJson<{ updatedCount?: number }>(url, { method: 'PATCH', body: change, token }))
        .body;
    },
    async requestDomain(domain, token) {
      return (
        await requestJson<DomainChallenge>(api('/verify-domain'), { method: 'POST', body: { domain }, token })
      ).body;
    },
    async checkDomain(domain, token) {
      const url = api('/verify-domain/check');
      return (await requestJson<Record<string, unknown>>(url, { method: 'POST', body: { domain }, token }))
        .body;
    },
    async listDomains(token) {
      return (await requestJson<unknown>(api('/verify-domain'), { token })).body;
    },
  };
}
