/**
 * The README ownership marker (`mcp-name: <server name>`) that PyPI, NuGet and cargo packages carry to
 * prove they belong to a server. The name must be followed by a boundary (the end of the text or a
 * character that cannot occur in a server name), so `mcp-name: io.github.alice/foo` does not prove
 * ownership of `io.github.alice/fo`, and a README for `…/foo-evil` does not prove `…/foo`.
 */
export const MCP_NAME_MARKER = 'mcp-name: ';

const NAME_CHAR = /[A-Za-z0-9._/-]/;

/** True when `text` declares exactly `serverName` (linear: indexOf scans, no regex over the text). */
export function declaresMcpName(text: string, serverName: string): boolean {
  const needle = MCP_NAME_MARKER + serverName;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const next = text[at + needle.length];
    if (next === undefined || !NAME_CHAR.test(next)) return true;
  }
  return false;
}
