/**
 * How to run a server, once: the install hint for each package type and each remote. The builder's
 * server pages (builder/browse.ts) and the browse page's script (builder/browse-page/main.ts, run in
 * a browser) both show these, so this module imports nothing and reads loosely typed input (a
 * server.json, or a search hit of that shape).
 */

/** One way to run a server: a command to copy, or a URL to fetch or connect to. */
export interface InstallHint {
  /** What it is, for a label: `npm`, `pypi`, `oci`, `nuget`, `mcpb`, `remote`, or the registry type. */
  kind: string;
  /** `command`: a shell line; `url`: a file to download (mcpb) or an endpoint to connect to (remote). */
  form: 'command' | 'url';
  text: string;
  /** The MCP transport (`stdio`, `streamable-http`, `sse`), when the server says. */
  transport?: string;
}

function field(item: unknown, name: string): string | undefined {
  const value = item && typeof item === 'object' ? (item as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function transportOf(item: unknown): string | undefined {
  const transport =
    item && typeof item === 'object' ? (item as { transport?: unknown }).transport : undefined;
  return field(transport, 'type');
}

/**
 * The hint for one package entry, or undefined when it has no identifier.
 *
 * @example packageHint({ registryType: 'npm', identifier: '@acme/weather', version: '1.2.0' }) // { kind: 'npm', form: 'command', text: 'npx -y @acme/weather@1.2.0' }
 * @example packageHint({ registryType: 'pypi', identifier: 'weather-mcp', version: '0.3' }) // { kind: 'pypi', form: 'command', text: 'uvx weather-mcp==0.3' }
 * @example packageHint({ registryType: 'oci', identifier: 'ghcr.io/acme/weather:1.0' }) // { kind: 'oci', form: 'command', text: 'docker run -i --rm ghcr.io/acme/weather:1.0' }
 */
export function packageHint(pkg: unknown): InstallHint | undefined {
  const id = field(pkg, 'identifier');
  if (id === undefined) return undefined;
  const type = field(pkg, 'registryType') ?? 'package';
  const version = field(pkg, 'version');
  const at = (sep: string) => (version === undefined ? id : `${id}${sep}${version}`);
  let hint: InstallHint;
  switch (type) {
    case 'npm':
      hint = { kind: type, form: 'command', text: `npx -y ${at('@')}` };
      break;
    case 'pypi':
      hint = { kind: type, form: 'command', text: `uvx ${at('==')}` };
      break;
    case 'oci':
      // An OCI identifier carries its own tag or digest.
      hint = { kind: type, form: 'command', text: `docker run -i --rm ${id}` };
      break;
    case 'nuget':
      hint = { kind: type, form: 'command', text: `dnx ${at('@')}` };
      break;
    case 'mcpb':
      // The identifier is the bundle's download URL.
      hint = { kind: type, form: 'url', text: id };
      break;
    default:
      hint = { kind: type, form: 'command', text: at('@') };
  }
  const transport = transportOf(pkg);
  return transport === undefined ? hint : { ...hint, transport };
}

/**
 * Every hint of a server: its packages in order, then its remotes (URL and transport).
 *
 * @example installHints({ remotes: [{ type: 'streamable-http', url: 'https://mcp.example.com/mcp' }] }) // [{ kind: 'remote', form: 'url', text: 'https://mcp.example.com/mcp', transport: 'streamable-http' }]
 */
export function installHints(server: { packages?: unknown; remotes?: unknown }): InstallHint[] {
  const hints: InstallHint[] = [];
  if (Array.isArray(server.packages)) {
    for (const pkg of server.packages) {
      const hint = packageHint(pkg);
      if (hint) hints.push(hint);
    }
  }
  if (Array.isArray(server.remotes)) {
    for (const remote of server.remotes) {
      const url = field(remote, 'url');
      if (url === undefined) continue;
      const transport = field(remote, 'type');
      hints.push({ kind: 'remote', form: 'url', text: url, ...(transport ? { transport } : {}) });
    }
  }
  return hints;
}

/**
 * The official read URL of one version's document (name and version URL-encoded), relative to the
 * registry's root.
 *
 * @example versionDocumentPath('io.github.alice/weather', '1.0.0+b1') // '/v0.1/servers/io.github.alice%2Fweather/versions/1.0.0%2Bb1'
 */
export function versionDocumentPath(name: string, version: string): string {
  return `/v0.1/servers/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`;
}

/**
 * Whether a URL may become a link: http(s) only, so a publisher's `javascript:` URL stays text.
 *
 * @example isLinkable('https://example.com/a.mcpb') // true
 * @example isLinkable('javascript:alert(1)') // false
 */
export function isLinkable(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

/**
 * The URL of a server's page (the key core/layout/keys.ts serverPageKey builds, as a path; that
 * module is Node-only, so the browser builds it here; test/browse/render.test.ts proves they agree).
 *
 * @example serverPagePath('io.github.alice/weather') // '/servers/io.github.alice/weather/index.html'
 */
export function serverPagePath(name: string): string {
  return `/servers/${name}/index.html`;
}
