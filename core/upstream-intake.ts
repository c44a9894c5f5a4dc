import { MAX_VERSION_BYTES } from './limits.js';
import { isInNamespace, isValidServerName } from './names.js';
import type { ServerJson } from './server-json.js';
import { OFFICIAL_META_KEY, VERSION_STATUSES, type VersionStatus } from './shapes.js';
import type { ServerJsonValidator, ValidationIssue } from './validation/index.js';
import { storedSize } from './validation/index.js';
import { unaddressableVersion } from './validation/rules/version.js';

/**
 * Lenient intake of an upstream registry's entries (mirror mode, `import --as-mirror`): upstream is the
 * authority, so a version its own rules accepted is stored as upstream serves it even when today's
 * schemas or rules would refuse it (`"repository": {}`, `"$schema": ""`, old package shapes…). Its
 * validation issues are recorded, not enforced. A version is refused only when it cannot be stored or
 * served safely: not an object, no usable name or version, a name or version outside the key space,
 * larger than the stored-size bound (core/limits.ts, the same as a publish), or metadata that is not the official shape.
 */
/** Upstream's official metadata for one version, as it serves it. */
export interface UpstreamMeta {
  status: VersionStatus;
  statusChangedAt: string;
  statusMessage: string | null;
  publishedAt: string;
  updatedAt: string;
  isLatest: boolean;
}

export interface AcceptedEntry {
  name: string;
  version: string;
  server: ServerJson;
  meta: UpstreamMeta;
  /** Validation issues (errors and warnings) under today's rules: recorded, never enforced. */
  issues: ValidationIssue[];
}

export type IntakeResult =
  | { ok: true; entry: AcceptedEntry }
  | { ok: false; name: string | undefined; version: string | undefined; reason: string };

export interface IntakeOptions {
  validator: ServerJsonValidator;
  /** Namespaces this registry owns itself: upstream entries in them are refused. */
  localNamespaces?: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isTimestamp = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

export function intakeUpstreamEntry(raw: unknown, options: IntakeOptions): IntakeResult {
  const server = isObject(raw) ? raw.server : undefined;
  const name = isObject(server) && typeof server.name === 'string' ? server.name : undefined;
  const version = isObject(server) && typeof server.version === 'string' ? server.version : undefined;
  const refuse = (reason: string): IntakeResult => ({ ok: false, name, version, reason });

  if (!isObject(raw) || !isObject(server)) return refuse('entry has no server object');
  if (name === undefined || !isValidServerName(name))
    return refuse('server name is missing or not a valid name');
  if (version === undefined || unaddressableVersion(version) !== undefined || version === 'latest') {
    return refuse('version is missing or cannot be addressed by a URL');
  }
  if (options.localNamespaces?.some((ns) => isInNamespace(ns, name))) {
    return refuse('the name is in a namespace this registry publishes itself');
  }
  const size = storedSize(server as unknown as ServerJson);
  if (size > MAX_VERSION_BYTES) {
    return refuse(`server.json is ${size} bytes, over the ${MAX_VERSION_BYTES}-byte limit`);
  }
  const meta = readMeta(raw._meta);
  if (typeof meta === 'string') return refuse(meta);
  const issues = options.validator.validate(server).issues.filter((i) => i.severity !== 'info');
  return { ok: true, entry: { name, version, server: server as unknown as ServerJson, meta, issues } };
}

function readMeta(outer: unknown): UpstreamMeta | string {
  const official = isObject(outer) ? outer[OFFICIAL_META_KEY] : undefined;
  if (!isObject(official)) return `no ${OFFICIAL_META_KEY} metadata`;
  const { status, publishedAt, updatedAt, isLatest } = official;
  if (typeof status !== 'string' || !VERSION_STATUSES.includes(status as VersionStatus)) {
    return 'metadata status is not active, deprecated or deleted';
  }
  if (!isTimestamp(publishedAt) || !isTimestamp(updatedAt))
    return 'metadata timestamps are missing or invalid';
  // Upstreams from before statusChangedAt existed do not send it: the version's status has then been
  // its status since it was last updated.
  const statusChangedAt = isTimestamp(official.statusChangedAt) ? official.statusChangedAt : updatedAt;
  const message = official.statusMessage;
  return {
    status: status as VersionStatus,
    statusChangedAt,
    statusMessage: typeof message === 'string' ? message : null,
    publishedAt,
    updatedAt,
    isLatest: isLatest === true,
  };
}
