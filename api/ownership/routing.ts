/**
 * Test and private-mirror routing: a URL on a host listed in the overrides is sent to that host's
 * configured base URL instead (same path and query), so loopback peers can stand in for docker.io,
 * ghcr.io or github.com without touching the document being checked.
 */
export function routedUrl(url: string, overrides: Readonly<Record<string, string>>): string {
  const parsed = new URL(url);
  const base = overrides[parsed.host];
  if (base === undefined) return url;
  return `${base.replace(/\/+$/, '')}${parsed.pathname}${parsed.search}`;
}
