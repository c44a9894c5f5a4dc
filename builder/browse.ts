import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../core/crypto.js';
import { sortForVersionsList } from '../core/layout/documents.js';
import { BROWSE_PAGE_KEY, browseScriptKey } from '../core/layout/keys.js';
import { installHints, isLinkable, versionDocumentPath } from '../core/search/install.js';
import type { VersionRecord } from '../core/shapes.js';
import { bytesObject, type RenderedObject } from './writer.js';

/**
 * The browse pages, rendered by the builder as static HTML: the root page (`index.html`, served at `/`
 * to browsers; its script searches) and one page per server with its live versions, readable with
 * JavaScript off. Everything a publisher wrote goes through `escapeHtml`; the pages load nothing
 * from elsewhere, so each carries a strict Content-Security-Policy (inline style allowed by hash,
 * scripts only from the tree and only on the root page).
 */

const HERE = dirname(fileURLToPath(import.meta.url));
const PAGE_DIR = join(HERE, 'browse-page');
export const HTML_TYPE = 'text/html; charset=utf-8';
export const SCRIPT_TYPE = 'text/javascript; charset=utf-8';

/** The pages' CSS, inlined (one request per page); whitespace around punctuation removed. */
export const BROWSE_STYLE = readFileSync(join(PAGE_DIR, 'style.css'), 'utf8')
  .replace(/\s+/g, ' ')
  .replace(/\s*([{}:;,>])\s*/g, '$1')
  .replace(/;}/g, '}')
  .trim();
const STYLE_HASH = `'sha256-${createHash('sha256').update(BROWSE_STYLE).digest('base64')}'`;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text made safe for HTML element content and quoted attribute values.
 *
 * @example escapeHtml('<b title="x">') // '&lt;b title=&quot;x&quot;&gt;'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

function layout(options: { title: string; csp: string; main: string; script?: string }): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${options.csp}">`,
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${escapeHtml(options.title)}</title>`,
    `<style>${BROWSE_STYLE}</style>`,
    options.script ? `<script type="module" src="${options.script}"></script>` : '',
    '</head>',
    '<body>',
    '<a class="skip" href="#main">Skip to content</a>',
    '<header><a class="brand" href="/">MCP Registry</a></header>',
    `<main id="main">${options.main}</main>`,
    '<footer>Every page here is a static file. Data: <a href="/v0.1/servers">/v0.1/servers</a> · ' +
      '<a href="/snapshots/latest.json">nightly snapshot</a></footer>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((line, i, all) => line !== '' || i === all.length - 1)
    .join('\n');
}

const CSP_BASE = `default-src 'none'; style-src ${STYLE_HASH}; base-uri 'none'; form-action 'self'`;

/** The install hints of one server.json as a list (empty string when it has none). */
function hintsHtml(value: { packages?: unknown; remotes?: unknown }): string {
  const items = installHints(value).map((hint) => {
    const text = escapeHtml(hint.text);
    const shown = hint.form === 'url' && isLinkable(hint.text) ? `<a href="${text}">${text}</a>` : text;
    const transport = hint.transport ? ` <span class="meta">(${escapeHtml(hint.transport)})</span>` : '';
    return `<li><span class="kind">${escapeHtml(hint.kind)}</span> <code>${shown}</code>${transport}</li>`;
  });
  return items.length === 0 ? '' : `<ul class="hints" aria-label="How to run it">${items.join('')}</ul>`;
}

function versionHtml(record: VersionRecord, index: number): string {
  const v = record.value;
  const id = `v${index}`;
  const badges =
    (record.isLatest ? ' <span class="badge latest">latest</span>' : '') +
    (record.status === 'deprecated' ? ' <span class="badge deprecated">deprecated</span>' : '');
  const published = `${record.publishedAt.slice(0, 19)}Z`;
  return [
    `<li><section aria-labelledby="${id}">`,
    `<h3 id="${id}">${escapeHtml(record.version)}${badges}</h3>`,
    `<p class="meta">Published <time datetime="${escapeHtml(published)}">${escapeHtml(record.publishedAt.slice(0, 10))}</time>`,
    record.statusMessage ? ` · ${escapeHtml(record.statusMessage)}` : '',
    '</p>',
    hintsHtml(v),
    `<p class="meta"><a href="${escapeHtml(versionDocumentPath(record.serverName, record.version))}">JSON document</a></p>`,
    '</section></li>',
  ].join('');
}

/**
 * A server's page: name, title, description and links of its latest live version, then every live
 * version newest first (status, published date, install hints, JSON link). Undefined when no version
 * is live (the page goes away with the server's other live documents).
 */
export function renderServerPage(name: string, records: readonly VersionRecord[]): string | undefined {
  const live = sortForVersionsList(records).filter((r) => r.status !== 'deleted');
  const head = live.find((r) => r.isLatest) ?? live[0];
  if (head === undefined) return undefined;
  const v = head.value;
  const links: string[] = [];
  const repository = v.repository?.url;
  if (repository && isLinkable(repository))
    links.push(`<a href="${escapeHtml(repository)}">Source repository</a>`);
  if (v.websiteUrl && isLinkable(v.websiteUrl))
    links.push(`<a href="${escapeHtml(v.websiteUrl)}">Website</a>`);
  links.push(`<a href="/v0.1/servers/${encodeURIComponent(name)}/versions">All versions (JSON)</a>`);
  const main = [
    `<h1>${escapeHtml(v.title || name)}</h1>`,
    `<p class="name">${escapeHtml(name)}</p>`,
    `<p class="desc">${escapeHtml(v.description ?? '')}</p>`,
    `<p class="meta">${links.join(' · ')}</p>`,
    `<h2>Versions (${live.length})</h2>`,
    `<ol class="versions">${live.map(versionHtml).join('')}</ol>`,
  ].join('\n');
  return layout({ title: `${v.title || name} · MCP Registry`, csp: CSP_BASE, main });
}

/** The root page: a search box and an empty result list the script fills. */
export function renderBrowsePage(scriptPath: string): string {
  const main = [
    '<h1>Find MCP servers</h1>',
    '<form role="search" action="/" method="get" id="search-form">',
    '<label for="q">Search servers by name, title, description, package or host</label>',
    '<input id="q" name="q" type="search" autocomplete="off" spellcheck="false" enterkeyhint="search" ' +
      'aria-describedby="search-help" aria-controls="results">',
    '<p id="search-help" class="meta">Type at least two letters. Arrow keys move through the results; Escape returns here.</p>',
    '</form>',
    '<noscript><p>Search needs JavaScript. Every server also has a page at /servers/{name}/index.html, ' +
      'and the list is at <a href="/v0.1/servers">/v0.1/servers</a>.</p></noscript>',
    '<p id="status" class="meta" role="status" aria-live="polite"></p>',
    '<ol id="results" class="results" aria-label="Search results"></ol>',
  ].join('\n');
  const csp = `${CSP_BASE}; script-src 'self'; connect-src 'self'`;
  return layout({ title: 'MCP Registry', csp, main, script: scriptPath });
}

/** The page script's entry: TypeScript beside this file, or the compiled JavaScript in dist/. */
function scriptEntry(): string {
  const ts = join(PAGE_DIR, 'main.ts');
  return existsSync(ts) ? ts : join(PAGE_DIR, 'main.js');
}

let bundled: Promise<Uint8Array> | undefined;

/** The page script as one minified ESM file (bundled once per process; same sources, same bytes). */
export function bundleBrowseScript(): Promise<Uint8Array> {
  bundled ??= (async () => {
    // esbuild is loaded only when a build needs it (the API process never does).
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [scriptEntry()],
      absWorkingDir: join(HERE, '..'),
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: ['es2020', 'safari16.4'],
      minify: true,
      legalComments: 'none',
      charset: 'utf8',
      write: false,
      logLevel: 'silent',
    });
    const file = result.outputFiles[0];
    if (!file) throw new Error('esbuild produced no output for the browse page script');
    return file.contents;
  })();
  bundled.catch(() => {
    bundled = undefined;
  });
  return bundled;
}

/**
 * The root page and its script, script first (the page names it: leaves before pointers). The script
 * is immutable under its content hash; the page is mutable like every other document.
 */
export async function browseSiteObjects(): Promise<RenderedObject[]> {
  const script = await bundleBrowseScript();
  const key = browseScriptKey(sha256Hex(script).slice(0, 16));
  const page = renderBrowsePage(`/${key}`);
  return [
    bytesObject(key, script, SCRIPT_TYPE, 'immutable'),
    bytesObject(BROWSE_PAGE_KEY, Buffer.from(page, 'utf8'), HTML_TYPE, 'mutable'),
  ];
}

/** A server page as a tree object. */
export function serverPageObject(key: string, html: string): RenderedObject {
  return bytesObject(key, Buffer.from(html, 'utf8'), HTML_TYPE, 'mutable');
}
