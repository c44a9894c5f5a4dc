// test-tier: slow
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { createSearchClient } from '../../client/search.js';
import { serverPageKey } from '../../core/layout/keys.js';
import { ROOT, startServe } from '../../scripts/bench/util.js';
import { ANON } from '../helpers/app.js';

/**
 * The browse page in a real browser: Debian's Chromium (never a downloaded one), headless, driven by
 * playwright-core, against `npm start` (one URL: the write API and the local CDN). Publishes a few
 * servers, searches, moves through the results by keyboard, opens a server page, reads it again with
 * JavaScript off, and saves a screenshot to test-artifacts/browse.png.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(ROOT, 'test-artifacts');
const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

const WEATHER = `${ANON}/weather-forecast`;
const GIT = `${ANON}/git-tools`;
const CALENDAR = `${ANON}/calendar-sync`;

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    assert.fail(
      `Chromium is not installed at ${CHROMIUM}: the browse page test needs Debian's package ` +
        '(apt-get update && apt-get install -y chromium; .ci/run installs it when missing)',
    );
  }
  // launch() gives every run a fresh temporary profile (user-data-dir), removed on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A locator's text ('' for none). */
async function text(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/**
 * The results' server names once the page has answered `query` with `count` of them (polled: the
 * page's CSP forbids the eval that waitForFunction needs).
 */
async function resultNames(page: Page, query: string, count: number): Promise<string[]> {
  const status = page.locator('#status');
  const hits = page.locator('#results a.hit');
  await until(
    `${count} results for ${query}`,
    async () => [await text(status), await hits.count()] as const,
    ([said, n]) => said.includes(`“${query}”`) && n === count,
  );
  return page.locator('#results p.name').allTextContents();
}

describe('browse page in Chromium', { timeout: 300_000 }, () => {
  it('finds servers as you type, moves by keyboard, opens a server page, and reads it with JavaScript off', async () => {
    const base = mkdtempSync(join(tmpdir(), 'mcpreg-browse-'));
    const registry = await startServe(
      { dataDir: join(base, 'data'), siteDir: join(base, 'site') },
      { PACKAGE_VALIDATION: 'off' },
    );
    let browser: Browser | undefined;
    try {
      const token = await registry.anonymousToken();
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const publish = async (server: Record<string, unknown>) => {
        const res = await fetch(`${registry.api}/v0/publish`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ $schema: SCHEMA, ...server }),
        });
        assert.equal(res.status, 200, await res.text());
      };
      const npm = (version: string) => [
        { registryType: 'npm', identifier: '@acme/weather-mcp', version, transport: { type: 'stdio' } },
      ];
      await publish({
        name: WEATHER,
        title: 'Weather Forecasts',
        description: 'Forecasts for any city',
        version: '1.0.0',
        packages: npm('1.0.0'),
      });
      await publish({
        name: WEATHER,
        title: 'Weather Forecasts',
        description: 'Forecasts for any city',
        version: '1.2.0',
        packages: npm('1.2.0'),
      });
      await publish({
        name: GIT,
        description: 'Git helpers for repositories',
        version: '0.3.0',
        packages: [
          {
            registryType: 'pypi',
            identifier: 'git-tools-mcp',
            version: '0.3.0',
            transport: { type: 'stdio' },
          },
        ],
      });
      await publish({
        name: CALENDAR,
        description: 'Calendar <script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">',
        version: '2.0.0',
        remotes: [{ type: 'streamable-http', url: 'https://mcp.example.com/calendar' }],
      });
      const status = await fetch(
        `${registry.api}/v0/servers/${encodeURIComponent(GIT)}/versions/0.3.0/status`,
        {
          method: 'PATCH',
          headers: auth,
          body: JSON.stringify({ status: 'deprecated', statusMessage: 'moved' }),
        },
      );
      assert.equal(status.status, 200, await status.text());
      // Built: the deprecation (the last change) shows in the latest list, and the browse page exists.
      await until(
        'the builds',
        async () =>
          (await fetch(`${registry.cdn}/v0.1/servers?version=latest`)).json() as Promise<{
            servers: { server: { name: string }; _meta: Record<string, { status: string }> }[];
          }>,
        (list) =>
          list.servers?.length === 3 &&
          list.servers.some(
            (s) =>
              s.server.name === GIT &&
              s._meta['io.modelcontextprotocol.registry/official']?.status === 'deprecated',
          ),
      );
      await until(
        'the browse page',
        () => fetch(`${registry.cdn}/index.html`),
        (res) => res.status === 200,
      );
      // What the page's script will find (the same client library), before any browser asks.
      const search = createSearchClient({ baseUrl: registry.cdn });
      await until(
        'the search index',
        () => search.search('anonymous'),
        (found) => found.total === 3 && found.hits.some((h) => h.name === GIT && h.status === 'deprecated'),
      );

      browser = await launch();
      const context = await browser.newContext({
        viewport: { width: 412, height: 915 },
        colorScheme: 'light',
      });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(msg.text());
      });
      page.on('pageerror', (err) => problems.push(String(err)));

      // `/` in a browser is the page (Accept: text/html), not the root document.
      const response = await page.goto(`${registry.cdn}/`);
      assert.equal(response?.headers()['content-type'], 'text/html; charset=utf-8');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      for (const landmark of ['header', 'main', 'footer', 'form[role=search]']) {
        assert.equal(await page.locator(landmark).count(), 1, landmark);
      }
      const box = page.getByLabel('Search servers by name, title, description, package or host');
      await box.focus();
      await page.keyboard.type('forecast');
      assert.deepEqual(await resultNames(page, 'forecast', 1), [WEATHER]);
      const weather = page.locator('#results > li').first();
      assert.match(await text(weather), /Weather Forecasts/);
      assert.match(await text(weather), /npx -y @acme\/weather-mcp@1\.2\.0/);
      assert.equal(
        await weather.getByRole('link', { name: 'JSON document' }).getAttribute('href'),
        `/v0.1/servers/${encodeURIComponent(WEATHER)}/versions/1.2.0`,
      );
      assert.match(page.url(), /\?q=forecast$/, 'the query is kept in the address');

      await box.fill('git');
      assert.deepEqual(await resultNames(page, 'git', 1), [GIT]);
      const git = page.locator('#results > li').first();
      assert.equal(await text(git.locator('.badge.deprecated')), 'deprecated');
      assert.match(await text(git), /uvx git-tools-mcp==0\.3\.0/);

      // A publisher's markup is text in the results too.
      await box.fill('calendar');
      assert.deepEqual(await resultNames(page, 'calendar', 1), [CALENDAR]);
      const calendar = page.locator('#results > li').first();
      assert.match(await text(calendar), /<script>window\.__xss = 1<\/script>/);
      assert.match(await text(calendar), /https:\/\/mcp\.example\.com\/calendar \(streamable-http\)/);
      assert.equal(await page.evaluate('window.__xss'), undefined);

      // Every server has `anonymous` in its name: three results, reached by keyboard.
      await box.fill('anonymous');
      const names = await resultNames(page, 'anonymous', 3);
      assert.deepEqual([...names].sort(), [CALENDAR, GIT, WEATHER].sort());
      const focused = () => page.evaluate<string>("document.activeElement?.textContent ?? ''");
      const hits = await page.locator('#results a.hit').allTextContents();
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), hits[0]);
      const outline = await page.evaluate('getComputedStyle(document.activeElement).outlineStyle');
      assert.equal(outline, 'solid', 'keyboard focus is visible');
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), hits[1]);
      await page.keyboard.press('End');
      assert.equal(await focused(), hits[2]);
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), hits[1]);
      await page.keyboard.press('Escape');
      assert.equal(await page.evaluate('document.activeElement?.id'), 'q');

      await box.fill('weather');
      await resultNames(page, 'weather', 1);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'browse.png'), fullPage: true });

      // Open the server page from the keyboard.
      await page.keyboard.press('ArrowDown');
      await Promise.all([page.waitForURL(`**/${serverPageKey(WEATHER)}`), page.keyboard.press('Enter')]);
      assert.equal(await text(page.locator('h1')), 'Weather Forecasts');
      assert.deepEqual(await page.locator('ol.versions h3').allTextContents(), ['1.2.0 latest', '1.0.0']);
      await page.screenshot({ path: join(ARTIFACTS, 'browse-server.png'), fullPage: true });
      assert.deepEqual(problems, [], 'no script errors, no CSP violations');

      // JavaScript off: server pages are whole; the root page says search needs JavaScript.
      const plain = await browser.newContext({ javaScriptEnabled: false });
      const still = await plain.newPage();
      await still.goto(`${registry.cdn}/${serverPageKey(GIT)}`);
      assert.equal(await text(still.locator('h1')), GIT);
      const version = await text(still.locator('ol.versions > li'));
      assert.match(version, /^0\.3\.0 latest deprecated/);
      assert.match(version, /moved/);
      assert.match(version, /uvx git-tools-mcp==0\.3\.0/);
      assert.equal(
        await still.getByRole('link', { name: 'JSON document' }).getAttribute('href'),
        `/v0.1/servers/${encodeURIComponent(GIT)}/versions/0.3.0`,
      );
      await still.goto(`${registry.cdn}/${serverPageKey(CALENDAR)}`);
      assert.match(await text(still.locator('p.desc')), /<script>window\.__xss = 1<\/script>/);
      await still.goto(`${registry.cdn}/`);
      assert.match(await text(still.locator('main')), /Search needs JavaScript/);
      await plain.close();
      await context.close();
    } finally {
      await browser?.close();
      assert.equal(await registry.stop(), 0, registry.output());
      rmSync(base, { recursive: true, force: true });
    }
  });
});
