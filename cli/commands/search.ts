import { ClientError } from '../../client/errors.js';
import { createSearchClient, MAX_LIMIT, SearchError, type SearchHit } from '../../client/search.js';
import { fetchOverHttp } from '../../client/search-http.js';
import type { CommandContext } from '../io.js';
import { openSession, resolveReadUrl } from '../session.js';

/**
 * `mcp-registry search <words…> [--limit N] [--offset N] [--read-url URL] [--json]`: finds servers in
 * a registry's static search index (client/search.ts) over HTTP; one hit per block on stdout, the
 * count and bytes fetched on stderr, or the whole result under --json.
 */
export async function run(context: CommandContext): Promise<number> {
  const { out, args, options } = context;
  const query = ((args[0] as unknown as string[] | undefined) ?? []).join(' ');
  const limit = wholeNumber(options.limit, '--limit', 1, MAX_LIMIT);
  const offset = wholeNumber(options.offset, '--offset', 0, Number.MAX_SAFE_INTEGER);
  const readUrl = await resolveReadUrl(openSession(context), options.readUrl);
  if (!readUrl) throw new ClientError('the registry’s read side is unknown: pass --read-url', 'usage');
  const client = createSearchClient({ baseUrl: readUrl, fetch: fetchOverHttp });
  let result: Awaited<ReturnType<typeof client.search>>;
  try {
    result = await client.search(query, { limit, offset });
  } catch (err) {
    if (err instanceof SearchError) throw new ClientError(err.message);
    throw err;
  }
  if (result.words.length === 0)
    throw new ClientError('give at least one word of two letters or digits', 'usage');
  out.result(result);
  for (const hit of result.hits) for (const line of describeHit(hit)) out.data(line);
  const shown =
    result.hits.length === 0 ? 'none shown' : `${offset + 1}–${offset + result.hits.length} shown`;
  out.info(
    `${result.total} server(s) match ${result.words.join(' ')} (${shown}; ${(result.bytesFetched / 1024).toFixed(1)} KiB fetched)`,
  );
  return 0;
}

function wholeNumber(value: unknown, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(String(value)) || n < min || n > max)
    throw new ClientError(`${flag} must be a whole number from ${min} to ${max}`, 'usage');
  return n;
}

/** A hit as a few plain lines: name, version and status; title and description; how to get it. */
export function describeHit(hit: SearchHit): string[] {
  const head = `${hit.name} ${hit.version}${hit.status === 'deprecated' ? ' (deprecated)' : ''}`;
  const text = [hit.title, hit.description].filter(Boolean).join(' — ');
  const ways = [
    ...hit.packages.map((p) => `${p.registryType} ${p.identifier}${p.version ? `@${p.version}` : ''}`),
    ...hit.remotes.map((r) => `${r.type} ${r.url}`),
  ];
  return [head, ...(text ? [`  ${text}`] : []), ...(ways.length ? [`  ${ways.join(' · ')}`] : [])];
}
