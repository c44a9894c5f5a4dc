import { orderObject, SERVER_SHAPE } from './layout/field-order.js';
import type { ServerJson } from './server-json.js';

/**
 * The official read API's document shapes, declared once. The builder renders exactly these and the
 * write API returns them, so a client cannot tell where a document came from.
 */
export const OFFICIAL_META_KEY = 'io.modelcontextprotocol.registry/official';

export type VersionStatus = 'active' | 'deprecated' | 'deleted';
export const VERSION_STATUSES: readonly VersionStatus[] = ['active', 'deprecated', 'deleted'];

/** One stored version as the database holds it; timestamps are RFC 3339 UTC strings with microseconds. */
export interface VersionRecord {
  serverName: string;
  version: string;
  value: ServerJson;
  status: VersionStatus;
  statusChangedAt: string;
  statusMessage: string | null;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
  /** Journal position of the last change to this version. */
  seq: number;
}

/** @example {"status":"active","statusChangedAt":"2026-11-24T10:00:00.000000Z","publishedAt":"2026-11-24T10:00:00.000000Z","updatedAt":"2026-11-24T10:00:00.000000Z","isLatest":true} */
export interface OfficialMeta {
  status: VersionStatus;
  statusChangedAt: string;
  statusMessage?: string;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
}

/** @example {"server":{"$schema":"…","name":"io.github.alice/weather","description":"…","version":"1.0.0"},"_meta":{"io.modelcontextprotocol.registry/official":{…}}} */
export interface ServerResponse {
  server: ServerJson;
  _meta: { [OFFICIAL_META_KEY]: OfficialMeta };
}

/** @example {"servers":[…],"metadata":{"nextCursor":"io.github.alice/weather:1.0.0","count":30}} */
export interface ServerList {
  servers: ServerResponse[];
  metadata: { nextCursor?: string; count: number };
}

/** PATCH /servers/{name}/status. */
export interface AllVersionsStatusResponse {
  updatedCount: number;
  servers: ServerResponse[];
}

/**
 * Builds the official wrapper in the official field order (`server` as core/layout/field-order.ts
 * orders it, then `_meta` with the official fields in their order), so rendered bytes are
 * deterministic and read like the official registry's.
 */
export function toServerResponse(r: VersionRecord): ServerResponse {
  const official: OfficialMeta = {
    status: r.status,
    statusChangedAt: r.statusChangedAt,
    ...(r.statusMessage !== null ? { statusMessage: r.statusMessage } : {}),
    publishedAt: r.publishedAt,
    updatedAt: r.updatedAt,
    isLatest: r.isLatest,
  };
  return {
    server: orderObject(r.value, SERVER_SHAPE) as ServerJson,
    _meta: { [OFFICIAL_META_KEY]: official },
  };
}
