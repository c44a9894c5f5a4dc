import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BROWSE_STYLE,
  browseSiteObjects,
  escapeHtml,
  renderBrowsePage,
  renderServerPage,
} from '../../builder/browse.js';
import { classifyKey, isHistoryKey, isTreeKey } from '../../core/layout/key-shapes.js';
import { serverPageKey } from '../../core/layout/keys.js';
import {
  installHints,
  isLinkable,
  packageHint,
  serverPagePath,
  versionDocumentPath,
} from '../../core/search/install.js';
import type { ServerJson } from '../../core/server-json.js';
import type { VersionRecord } from '../../core/shapes.js';

const NAME = 'io.github.alice/weather';

function record(version: string, value: Partial<ServerJson> = {}, extra: Partial<VersionRecord> = {}) {
  return {
    serverName: NAME,
    version,
    value: { name: NAME, version, description: 'Weather forecasts', ...value } as ServerJson,
    status: 'active',
    statusChangedAt: '2026-11-01T00:00:00.000000Z',
    statusMessage: null,
    publishedAt: `2026-11-0${version[0]}T10:00:00.123456Z`,
    updatedAt: '2026-11-01T00:00:00.000000Z',
    isLatest: false,
    seq: 1,
    ...extra,
  } satisfies VersionRecord;
}

describe('install hints (core/search/install.ts)', () => {
  it('gives the command of each package type, with the package version', () => {
    const hints = installHints({
      packages: [
        { registryType: 'npm', identifier: '@acme/weather', version: '1.2.0', transport: { type: 'stdio' } },
        { registryType: 'pypi', identifier: 'weather-mcp', version: '0.3.1' },
        { registryType: 'oci', identifier: 'ghcr.io/acme/weather:1.0.0' },
        { registryType: 'nuget', identifier: 'Acme.Weather', version: '2.0.0' },
        { registryType: 'mcpb', identifier: 'https://example.com/weather.mcpb' },
        { registryType: 'cargo', identifier: 'weather', version: '1.0.0' },
        { registryType: 'npm' },
      ],
      remotes: [{ type: 'streamable-http', url: 'https://mcp.example.com/mcp' }, { type: 'sse' }],
    });
    assert.deepEqual(hints, [
      { kind: 'npm', form: 'command', text: 'npx -y @acme/weather@1.2.0', transport: 'stdio' },
      { kind: 'pypi', form: 'command', text: 'uvx weather-mcp==0.3.1' },
      { kind: 'oci', form: 'command', text: 'docker run -i --rm ghcr.io/acme/weather:1.0.0' },
      { kind: 'nuget', form: 'command', text: 'dnx Acme.Weather@2.0.0' },
      { kind: 'mcpb', form: 'url', text: 'https://example.com/weather.mcpb' },
      { kind: 'cargo', form: 'command', text: 'weather@1.0.0' },
      { kind: 'remote', form: 'url', text: 'https://mcp.example.com/mcp', transport: 'streamable-http' },
    ]);
    assert.equal(packageHint({ registryType: 'npm', identifier: 'x' })?.text, 'npx -y x');
    assert.deepEqual(installHints({}), []);
    assert.deepEqual(installHints({ packages: 'npm', remotes: {} }), []);
  });

  it('builds the official document URL and the server page URL the keys module stores', () => {
    assert.equal(
      versionDocumentPath(NAME, '1.0.0+b1'),
      '/v0.1/servers/io.github.alice%2Fweather/versions/1.0.0%2Bb1',
    );
    assert.equal(serverPagePath(NAME), `/${serverPageKey(NAME)}`);
    assert.equal(isLinkable('https://a.example/x'), true);
    for (const url of ['javascript:alert(1)', 'data:text/html,x', ' https://x', '//evil.example']) {
      assert.equal(isLinkable(url), false, url);
    }
  });
});

describe('server pages (builder/browse.ts)', () => {
  const hostile = '<script>alert(1)</script>"onmouseover="alert(2)\' <img src=x onerror=alert(3)>';

  it('render every publisher string as text: no markup, no attribute breaks, no script links', () => {
    const html = renderServerPage(NAME, [
      record(
        '1.0.0',
        {
          title: hostile,
          description: hostile,
          websiteUrl: 'javascript:alert(4)',
          repository: { url: `https://github.com/a/b"onmouseover="x`, source: 'github' },
          packages: [
            {
              registryType: 'mcpb',
              identifier: `https://example.com/a.mcpb"><script>alert(5)</script>`,
              transport: { type: hostile },
            },
            { registryType: 'npm', identifier: hostile, version: '1.0.0', transport: { type: 'stdio' } },
          ] as ServerJson['packages'],
          remotes: [{ type: 'sse', url: 'javascript:alert(6)' }] as ServerJson['remotes'],
        },
        { isLatest: true, status: 'deprecated', statusMessage: hostile },
      ),
    ]);
    assert.ok(html);
    // The page has no script at all, and no attribute a publisher could have opened.
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<img/i);
    assert.doesNotMatch(html, /"onmouseover=/i);
    assert.doesNotMatch(html, /href="javascript:/i);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=&quot;alert(2)&#39;'));
    // Links stay links where the URL is http(s), with their quotes escaped.
    assert.ok(html.includes('href="https://github.com/a/b&quot;onmouseover=&quot;x"'));
    assert.ok(html.includes('<code>javascript:alert(6)</code>'));
    assert.equal(escapeHtml(`&<>"'`), '&amp;&lt;&gt;&quot;&#39;');
  });

  it('lists live versions newest first with status, date, hints and JSON links; none live: no page', () => {
    const html = renderServerPage(NAME, [
      record('1.0.0', {}, { status: 'deprecated', statusMessage: 'use 2.x' }),
      record(
        '2.0.0',
        {
          title: 'Weather',
          packages: [{ registryType: 'pypi', identifier: 'weather', version: '2.0.0' }],
        } as Partial<ServerJson>,
        { isLatest: true },
      ),
      record('3.0.0', {}, { status: 'deleted' }),
    ]);
    assert.ok(html);
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/,
    );
    assert.match(html, /<main id="main">/);
    assert.match(html, /<title>Weather · MCP Registry<\/title>/);
    assert.match(html, /Versions \(2\)/);
    assert.doesNotMatch(html, /3\.0\.0/);
    assert.ok(html.indexOf('>2.0.0') < html.indexOf('>1.0.0'), 'newest first');
    assert.match(html, /1\.0\.0 <span class="badge deprecated">deprecated<\/span>/);
    assert.match(html, /<time datetime="2026-11-01T10:00:00Z">2026-11-01<\/time> · use 2\.x/);
    assert.ok(html.includes('<code>uvx weather==2.0.0</code>'));
    assert.ok(html.includes('href="/v0.1/servers/io.github.alice%2Fweather/versions/2.0.0"'));
    assert.equal(renderServerPage(NAME, [record('1.0.0', {}, { status: 'deleted' })]), undefined);
  });

  it('keeps the CSS colour pairs at WCAG AA contrast (4.5:1) in light and dark schemes', () => {
    const css = BROWSE_STYLE;
    const schemes = [...css.matchAll(/:root\{([^}]*)\}/g)].map((m) =>
      Object.fromEntries(
        [...(m[1] as string).matchAll(/--([\w-]+):#([0-9a-f]{6}|[0-9a-f]{3})\b/g)].map((v) => [
          v[1],
          `#${(v[2] as string).length === 3 ? [...(v[2] as string)].map((c) => c + c).join('') : v[2]}`,
        ]),
      ),
    );
    assert.equal(schemes.length, 2);
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      }) as [number, number, number];
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
      return (hi + 0.05) / (lo + 0.05);
    };
    for (const s of schemes) {
      for (const [fg, bg] of [
        ['fg', 'bg'],
        ['muted', 'bg'],
        ['link', 'bg'],
        ['fg', 'code'],
        ['link', 'code'],
        ['dep-fg', 'dep-bg'],
        ['ok-fg', 'ok-bg'],
      ] as const) {
        const ratio = contrast(s[fg] as string, s[bg] as string);
        assert.ok(ratio >= 4.5, `${fg} on ${bg}: ${ratio.toFixed(2)}`);
      }
    }
  });
});

describe('the root page and its script', () => {
  it('is a labelled search form that loads one same-origin module script, content-hashed and immutable', async () => {
    const [script, page] = await browseSiteObjects();
    assert.ok(script && page);
    assert.match(script.key, /^app\/browse\.[0-9a-f]{16}\.js$/);
    assert.equal(script.contentType, 'text/javascript; charset=utf-8');
    assert.equal(script.cacheClass, 'immutable');
    assert.ok(script.key.includes(script.sha256.slice(0, 16)));
    assert.ok(script.body.length < 20_000, `script is ${script.body.length} bytes`);
    assert.deepEqual(
      [page.key, page.contentType, page.cacheClass],
      ['index.html', 'text/html; charset=utf-8', 'mutable'],
    );
    const html = Buffer.from(page.body).toString('utf8');
    assert.ok(html.includes(`<script type="module" src="/${script.key}"></script>`));
    assert.match(html, /<label for="q">/);
    assert.match(html, /<form role="search"/);
    assert.match(html, /script-src 'self'; connect-src 'self'/);
    assert.equal(renderBrowsePage('/x.js'), renderBrowsePage('/x.js'));
    // Bundled, not a module graph: no import statements left for the browser to resolve.
    assert.doesNotMatch(Buffer.from(script.body).toString('utf8'), /\bimport\s*[{*"']/);
  });

  it('has keys of the tree: the page, the server pages, and scripts kept as history', () => {
    assert.deepEqual(classifyKey('index.html'), { kind: 'browse-page', signature: false });
    assert.deepEqual(classifyKey(serverPageKey(NAME)), { kind: 'server-page', name: NAME, signature: false });
    assert.equal(isTreeKey('app/browse.0123456789abcdef.js'), true);
    assert.equal(isTreeKey('app/other.js'), false);
    assert.equal(isHistoryKey('app/browse.0123456789abcdef.js'), true);
    assert.equal(isHistoryKey(serverPageKey(NAME)), false);
  });
});
