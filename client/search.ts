// STAND-IN until the index lands: the real client (S1, issue 17) reads the sharded search index.
// This one satisfies the same contract by reading every `/v0.1/servers?version=latest` page and
// matching with core/search/text.ts, which is fine for a handful of servers and nothing more.
import { queryWords, serverTerms } from '../core/search/text.js';

export interface SearchHit {
  name: string;
  title?: string;
  description: string;
  version: string;
  status: 'active' | 'deprecated';
  packages: {
    registryType: string;
    identifier: string;
    version?: string;
    runtimeHint?: string;
    transport?: { type: string };
  }[];
  remotes: { type: string; url: string }[];
  score: number;
}

export interface SearchResult {
  query: string;
  words: string[];
  total: number;
  hits: SearchHit[];
  bytesFetched: number;
}

export interface SearchClient {
  search(query: string, options?: { limit?: number; offset?: number }): Promise<SearchResult>;
}

interface ListPage {
  servers: {
    server: Omit<SearchHit, 'status' | 'score'>;
    _meta: Record<string, { status?: string } | undefined>;
  }[];
  metadata: { nextCursor?: string };
}

export function createSearchClient(options: { baseUrl: string; fetch?: typeof fetch }): SearchClient {
  const get = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async search(query, { limit = 20, offset = 0 } = {}) {
      const words = queryWords(query);
      let bytesFetched = 0;
      const hits: SearchHit[] = [];
      if (words.length === 0) return { query, words, total: 0, hits, bytesFetched };
      let cursor: string | undefined;
      do {
        const url = `${base}/v0.1/servers?version=latest&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await get(url);
        const text = await res.text();
        if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
        bytesFetched += new TextEncoder().encode(text).length;
        const page = JSON.parse(text) as ListPage;
        for (const { server, _meta } of page.servers) {
          const terms = serverTerms(server);
          let score = 0;
          for (const word of words) {
            let best = -1;
            for (const [term, rank] of terms) if (term.startsWith(word)) best = Math.max(best, 5 - rank);
            if (best < 0) {
              score = -1;
              break;
            }
            score += best;
          }
          if (score < 0) continue;
          const status = _meta['io.modelcontextprotocol.registry/official']?.status;
          hits.push({
            name: server.name,
            ...(server.title ? { title: server.title } : {}),
            description: server.description ?? '',
            version: server.version,
            status: status === 'deprecated' ? 'deprecated' : 'active',
            packages: server.packages ?? [],
            remotes: server.remotes ?? [],
            score,
          });
        }
        cursor = page.metadata.nextCursor;
      } while (cursor);
      hits.sort((a, b) => b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return { query, words, total: hits.length, hits: hits.slice(offset, offset + limit), bytesFetched };
    },
  };
}
