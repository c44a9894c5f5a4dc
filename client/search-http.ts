import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { sendRequest } from './http.js';
import type { FetchLike } from './search.js';

/**
 * The search client's fetch in Node over node:http (client/http.ts `sendRequest`), not undici's
 * fetch, whose load time every CLI command would pay: it asks for brotli or gzip, decompresses, and
 * reports the bytes as sent in `content-length`, so `bytesFetched` counts what crossed the wire.
 */
export const fetchOverHttp: FetchLike = async (url) => {
  const response = await sendRequest(new URL(url), { headers: { 'accept-encoding': 'br, gzip' } });
  const encoding = response.headers['content-encoding'];
  const body =
    encoding === 'br'
      ? brotliDecompressSync(response.body)
      : encoding === 'gzip'
        ? gunzipSync(response.body)
        : response.body;
  return {
    ok: response.status >= 200 && response.status < 300,
    status: response.status,
    headers: {
      get: (name) => (name.toLowerCase() === 'content-length' ? String(response.body.length) : null),
    },
    arrayBuffer: async () =>
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
  };
};
