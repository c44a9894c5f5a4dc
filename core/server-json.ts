/**
 * The server.json document (schema 2025-12-11), typed for code that handles documents the validator has
 * already accepted. Everything stays open (`[k: string]: unknown`) because the schema has no
 * `additionalProperties: false`: unknown fields are legal and must survive a round trip.
 */

/** The one `_meta` key a published server.json keeps; the official registry drops every other key. */
export const PUBLISHER_PROVIDED_META_KEY = 'io.modelcontextprotocol.registry/publisher-provided';

/** Limit on the JSON-serialised publisher-provided object, in bytes (official `maxExtensionSize`). */
export const PUBLISHER_PROVIDED_MAX_BYTES = 4096;

export interface Repository {
  url: string;
  source: string;
  id?: string;
  subfolder?: string;
  [k: string]: unknown;
}

export type IconMimeType = 'image/png' | 'image/jpeg' | 'image/jpg' | 'image/svg+xml' | 'image/webp';

export interface Icon {
  src: string;
  mimeType?: IconMimeType;
  sizes?: string[];
  theme?: 'light' | 'dark';
  [k: string]: unknown;
}

export type InputFormat = 'string' | 'number' | 'boolean' | 'filepath';

export interface Input {
  description?: string;
  isRequired?: boolean;
  format?: InputFormat;
  value?: string;
  isSecret?: boolean;
  default?: string;
  placeholder?: string;
  choices?: string[];
  [k: string]: unknown;
}

export interface InputWithVariables extends Input {
  variables?: Record<string, Input>;
}

/** A header or an environment variable. */
export interface KeyValueInput extends InputWithVariables {
  name: string;
}

export interface PositionalArgument extends InputWithVariables {
  type: 'positional';
  valueHint?: string;
  isRepeated?: boolean;
}

export interface NamedArgument extends InputWithVariables {
  type: 'named';
  /** The flag, including its dashes, e.g. `--port`. */
  name: string;
  isRepeated?: boolean;
}

export type Argument = PositionalArgument | NamedArgument;

export interface StdioTransport {
  type: 'stdio';
  [k: string]: unknown;
}

export interface StreamableHttpTransport {
  type: 'streamable-http';
  url: string;
  headers?: KeyValueInput[];
  [k: string]: unknown;
}

export interface SseTransport {
  type: 'sse';
  url: string;
  headers?: KeyValueInput[];
  [k: string]: unknown;
}

export type LocalTransport = StdioTransport | StreamableHttpTransport | SseTransport;

/** A remote endpoint; `{name}` placeholders in `url` are declared in `variables`. */
export type RemoteTransport = (StreamableHttpTransport | SseTransport) & {
  variables?: Record<string, Input>;
};

export type RegistryType = 'npm' | 'pypi' | 'nuget' | 'oci' | 'mcpb' | 'cargo';

export interface Package {
  /** One of {@link RegistryType} once validated; typed as string because the schema does not restrict it. */
  registryType: string;
  registryBaseUrl?: string;
  identifier: string;
  version?: string;
  fileSha256?: string;
  runtimeHint?: string;
  transport: LocalTransport;
  runtimeArguments?: Argument[];
  packageArguments?: Argument[];
  environmentVariables?: KeyValueInput[];
  [k: string]: unknown;
}

export interface ServerJson {
  $schema?: string;
  name: string;
  description: string;
  version: string;
  title?: string;
  websiteUrl?: string;
  repository?: Repository;
  icons?: Icon[];
  packages?: Package[];
  remotes?: RemoteTransport[];
  _meta?: Record<string, unknown>;
  [k: string]: unknown;
}

/**
 * The remote URLs a document claims (each belongs to one server name), normalised by
 * `remoteUrlKey` and without repeats. Tolerates any shape: stored documents are read back as they
 * were accepted, and a malformed entry simply claims nothing.
 */
export function remoteUrlsOf(doc: { remotes?: unknown }): string[] {
  if (!Array.isArray(doc.remotes)) return [];
  const urls = doc.remotes.flatMap((r: unknown) =>
    r && typeof r === 'object' && typeof (r as { url?: unknown }).url === 'string'
      ? [remoteUrlKey((r as { url: string }).url)]
      : [],
  );
  return [...new Set(urls)];
}

/**
 * The form in which remote URLs are compared for ownership: WHATWG URL parsing (scheme and host
 * lower-cased, IDN hosts in punycode, the scheme's default port dropped, `.`/`..` segments
 * resolved), the fragment dropped, and trailing slashes of the path removed, so `https://a.example`,
 * `https://A.example:443/` and `https://a.example/#x` are one endpoint, and `/mcp/` is `/mcp`
 * (servers do not serve different endpoints at both). The query is kept. A template that does not
 * parse as a URL (`https://{tenant}.example.com`) is compared as written.
 */
export function remoteUrlKey(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let end = parsed.pathname.length;
  while (end > 0 && parsed.pathname.charCodeAt(end - 1) === 0x2f) end--;
  const credentials = parsed.username
    ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@`
    : '';
  const authority = parsed.host === '' ? '' : `//${credentials}${parsed.host}`;
  return `${parsed.protocol}${authority}${parsed.pathname.slice(0, end)}${parsed.search}`;
}
