import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createPackageHttp } from '../../api/ownership/http.js';
import { createOwnershipChecker } from '../../api/ownership/index.js';
import { loadConfig } from '../../core/config.js';
import type { Package } from '../../core/server-json.js';
import type { Database } from '../../db/connect.js';
import { countVersions } from '../../db/repositories/versions.js';
import { ANON, serverJson, type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';
import { type PackagePeers, startPackagePeers } from '../helpers/package-peers.js';

// The ownership checks run before the transaction and never touch the database: PGlite is enough.
const backend = testBackends()[0]!;
const NAME = `${ANON}/weather`;
const stdio = { type: 'stdio' };
const SHA = 'a'.repeat(64);

const npm = (identifier = '@example/weather', version = '1.0.0'): Package =>
  ({ registryType: 'npm', identifier, version, transport: stdio }) as Package;
const pypi = (identifier = 'weather-mcp'): Package =>
  ({ registryType: 'pypi', identifier, version: '1.0.0', transport: stdio }) as Package;
const nuget = (identifier = 'Example.Weather', version = '1.0.0'): Package =>
  ({ registryType: 'nuget', identifier, version, transport: stdio }) as Package;
const cargo = (identifier = 'weather-mcp'): Package =>
  ({ registryType: 'cargo', identifier, version: '1.0.0', transport: stdio }) as Package;
const oci = (identifier: string): Package =>
  ({ registryType: 'oci', identifier, transport: stdio }) as Package;
const MCPB_PATH = '/example/weather-mcp/releases/download/v1.0.0/weather.mcpb';
const mcpb = (path = MCPB_PATH): Package =>
  ({
    registryType: 'mcpb',
    identifier: `https://github.com${path}`,
    fileSha256: SHA,
    transport: stdio,
  }) as Package;

describe('package ownership proofs on publish', () => {
  let peers: PackagePeers;
  let db: Database;
  let api: TestApi;
  let token: string;
  before(async () => {
    peers = await startPackagePeers();
  });
  after(() => peers.close());
  useTestApi(backend, (f) => ({ db, api, token } = f), { env: () => peers.env });
  beforeEach(() => {
    for (const registry of [peers.npm, peers.pypi, peers.nuget, peers.cargo, peers.oci]) registry.clear();
    peers.mcpb.clear();
    peers.faults.clear();
    peers.requests.length = 0;
  });

  const publish = (...packages: Package[]) =>
    api.request('POST', '/v0/publish', { body: serverJson({ packages }), token });
  async function refused(packages: Package[], ...expected: RegExp[]) {
    const res = await publish(...packages);
    assert.equal(res.statusCode, 400, res.body);
    const body = res.json() as { detail: string; errors: { message: string }[] };
    assert.equal(body.detail, 'Failed to publish server');
    assert.equal(body.errors.length, expected.length, res.body);
    for (const [i, re] of expected.entries()) assert.match(body.errors[i]!.message, re);
    assert.equal(await countVersions(db.knex), 0, 'nothing stored');
    return body;
  }
  const accepted = async (...packages: Package[]) => {
    const res = await publish(...packages);
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { warnings?: string[] };
  };

  describe('npm', () => {
    test('mcpName equal to the server name proves it; the request is the registry API call', async () => {
      peers.npm.set('@example/weather@1.0.0', { name: '@example/weather', version: '1.0.0', mcpName: NAME });
      const body = await accepted(npm());
      assert.equal(body.warnings, undefined);
      const [req] = peers.requests;
      assert.equal(req?.path, '/npm/@example%2Fweather/1.0.0');
      assert.match(
        String(req?.headers['user-agent']),
        /^MCP-Registry-Validator\/1\.0 \(mcp-static-registry /,
      );
      assert.equal(req?.headers.accept, 'application/json');
    });
    test('missing mcpName: the message says what to add to package.json', async () => {
      peers.npm.set('@example/weather@1.0.0', { name: '@example/weather', version: '1.0.0' });
      await refused(
        [npm()],
        new RegExp(
          `^registry validation failed for package 0 \\(@example/weather\\): NPM package '@example/weather' is missing required 'mcpName' field\\. Add this to your package\\.json: "mcpName": "${NAME}"$`,
        ),
      );
    });
    test('another name, or a look-alike with a suffix, is refused', async () => {
      peers.npm.set('@example/weather@1.0.0', { mcpName: `${NAME}-evil` });
      await refused([npm()], /Expected mcpName '.*\/weather', got '.*\/weather-evil'/);
      peers.npm.set('@example/weather@1.0.0', { mcpName: 'io.github.someone/weather' });
      await refused([npm()], /got 'io\.github\.someone\/weather'/);
    });
    test('a package or version that does not exist', async () => {
      await refused(
        [npm('@example/nothing')],
        /NPM package '@example\/nothing' version '1\.0\.0' not found \(status: 404\)/,
      );
    });
    test('the registry failing (500, 429) or answering more than 5 MiB refuses with the reason', async () => {
      peers.faults.set('npm', { status: 500 });
      await refused([npm()], /NPM registry answered 500/);
      peers.faults.set('npm', { status: 429, headers: { 'retry-after': '30' } });
      await refused([npm()], /NPM registry answered 429/);
      peers.faults.set('npm', 'huge');
      await refused([npm()], /the npm registry could not be checked: response larger than 5242880 bytes/);
    });
    test('every package is checked, all at once, and every failure is listed', async () => {
      peers.npm.set('@example/weather@1.0.0', { mcpName: NAME });
      await refused(
        [npm(), npm('@example/a'), pypi('b')],
        /^registry validation failed for package 1 \(@example\/a\)/,
        /^registry validation failed for package 2 \(b\)/,
      );
    });
  });

  describe('PyPI', () => {
    test('the README marker proves it, also inside an HTML comment', async () => {
      peers.pypi.set('weather-mcp@1.0.0', `# Weather\n\n<!-- mcp-name: ${NAME} -->\n`);
      await accepted(pypi());
      assert.equal(peers.requests[0]?.path, '/pypi/pypi/weather-mcp/1.0.0/json');
    });
    test('absent, another name, or only a look-alike with a suffix', async () => {
      peers.pypi.set('weather-mcp@1.0.0', '# Weather\n');
      await refused(
        [pypi()],
        /PyPI package 'weather-mcp' ownership validation failed.*must appear as 'mcp-name: .*\/weather' in the package README/,
      );
      peers.pypi.set('weather-mcp@1.0.0', `mcp-name: ${NAME}-evil\nmcp-name: ${NAME}.x`);
      await refused([pypi()], /ownership validation failed/);
    });
    test('a nonexistent package', async () => {
      await refused([pypi('nothing')], /PyPI package 'nothing' version '1\.0\.0' not found/);
    });
  });

  describe('NuGet', () => {
    test('the embedded README declares the name (service index → ReadmeUriTemplate)', async () => {
      peers.nuget.set('example.weather', { versions: ['1.0.0'], readme: `Weather\n\nmcp-name: ${NAME}` });
      await accepted(nuget());
      assert.deepEqual(
        peers.requests.map((r) => r.path),
        ['/nuget/v3/index.json', '/nuget/flat/example.weather/1.0.0/readme'],
      );
    });
    test('a README without the marker, or with a look-alike', async () => {
      peers.nuget.set('example.weather', { versions: ['1.0.0'], readme: `mcp-name: ${NAME}2` });
      await refused([nuget()], /NuGet package 'Example\.Weather' ownership validation failed/);
    });
    test('no README, a missing version and a missing package are told apart', async () => {
      peers.nuget.set('example.weather', { versions: ['1.0.0'] });
      await refused(
        [nuget()],
        /version '1\.0\.0' has no embedded README\. Add a README containing 'mcp-name: /,
      );
      await refused(
        [nuget('Example.Weather', '2.0.0')],
        /NuGet package 'Example\.Weather' has no version '2\.0\.0'/,
      );
      await refused([nuget('Nothing.Here')], /NuGet package 'Nothing\.Here' does not exist/);
    });
  });

  describe('cargo', () => {
    test('the rendered README (crates.io API → static host) declares the name', async () => {
      peers.cargo.set('weather-mcp@1.0.0', `<p>mcp-name: ${NAME}</p>`);
      await accepted(cargo());
      assert.deepEqual(
        peers.requests.map((r) => r.path),
        ['/cargo/api/v1/crates/weather-mcp/1.0.0/readme', '/cargo-static/readmes/weather-mcp%401.0.0'],
      );
    });
    test('a look-alike name followed by a name character is not a proof', async () => {
      peers.cargo.set('weather-mcp@1.0.0', `<p>mcp-name: ${NAME}_v2</p>`);
      await refused([cargo()], /ownership validation failed.*crates\.io removes HTML comments/);
    });
    test('no README (403 from the static host) and a missing crate are told apart', async () => {
      peers.cargo.set('weather-mcp@1.0.0', null);
      await refused([cargo()], /exists on crates\.io, but its rendered README could not be retrieved/);
      await refused([cargo('nothing')], /cargo package 'nothing' version '1\.0\.0' not found on crates\.io/);
    });
  });

  describe('OCI', () => {
    const LABEL = 'io.modelcontextprotocol.server.name';
    test("Docker Hub: the anonymous token handshake, then the image config's label", async () => {
      peers.oci.set('docker.io/example/weather:1.0.0', { labels: { [LABEL]: NAME } });
      await accepted(oci('docker.io/example/weather:1.0.0'));
      const paths = peers.requests.map((r) => r.path);
      assert.equal(paths[0], '/oci-hub/v2/example/weather/manifests/1.0.0');
      assert.match(
        paths[1]!,
        /^\/oci-auth\/token\?service=registry\.docker\.io&scope=repository%3Aexample%2Fweather%3Apull$/,
      );
      assert.equal(peers.requests[2]?.headers.authorization, 'Bearer hub-anonymous-pull-token');
      assert.ok(
        paths.some((p) => p.startsWith('/oci-cdn/sha256:')),
        'blob fetched through the redirect',
      );
    });
    test('a multi-arch index is resolved to its linux/amd64 image', async () => {
      peers.oci.set('ghcr.io/example/weather:1.0.0', { labels: { [LABEL]: NAME }, multiArch: true });
      await accepted(oci('ghcr.io/example/weather:1.0.0'));
      assert.equal(peers.requests.filter((r) => r.path.includes('/manifests/sha256:')).length, 1);
    });
    test('a missing label says which Dockerfile LABEL to add; a wrong one is refused', async () => {
      peers.oci.set('ghcr.io/example/weather:1.0.0', { labels: {} });
      await refused(
        [oci('ghcr.io/example/weather:1.0.0')],
        new RegExp(`Add this to your Dockerfile: LABEL ${LABEL}="${NAME}"`),
      );
      peers.oci.set('ghcr.io/example/weather:1.0.0', { labels: { [LABEL]: `${NAME}-evil` } });
      await refused([oci('ghcr.io/example/weather:1.0.0')], /Expected label .* got '.*weather-evil'/);
    });
    test('an unknown tag, and a private image', async () => {
      await refused(
        [oci('ghcr.io/example/weather:9.9.9')],
        /OCI image 'ghcr\.io\/example\/weather:9\.9\.9' not found/,
      );
      peers.faults.set('oci', { status: 403 });
      await refused(
        [oci('ghcr.io/example/weather:1.0.0')],
        /is private or requires authentication \(status: 403\)/,
      );
    });
    test('429 from the OCI registry skips the check, and the response says so', async () => {
      peers.faults.set('oci', { status: 429, headers: { 'retry-after': '60' } });
      const body = await accepted(oci('ghcr.io/example/weather:1.0.0'));
      assert.deepEqual(body.warnings, [
        'package 0 (ghcr.io/example/weather:1.0.0): the OCI registry rate-limited the ownership check of ' +
          "'ghcr.io/example/weather:1.0.0' (429); it was skipped",
      ]);
    });
  });

  describe('MCPB', () => {
    test('HEAD on the download URL answering 200 proves it is public', async () => {
      peers.mcpb.add(MCPB_PATH);
      await accepted(mcpb());
      assert.deepEqual(
        peers.requests.map((r) => `${r.method} ${r.path}`),
        [`HEAD /mcpb${MCPB_PATH}`],
      );
    });
    test('a download that is not there', async () => {
      await refused(
        [mcpb()],
        /MCPB package 'https:\/\/github\.com.*' is not publicly accessible \(status: 404\)/,
      );
    });
  });

  describe('every registry type failing: 500, 429, oversized, timeout', () => {
    const cases: [string, string, () => Package][] = [
      ['npm', 'npm', () => npm()],
      ['pypi', 'pypi', () => pypi()],
      ['nuget', 'nuget', () => nuget()],
      ['cargo', 'cargo', () => cargo()],
      ['oci', 'oci', () => oci('ghcr.io/example/weather:1.0.0')],
      ['mcpb', 'mcpb', () => mcpb()],
    ];
    for (const [type, prefix, pkg] of cases) {
      test(type, async () => {
        peers.faults.set(prefix, { status: 500 });
        await refused([pkg()], /^registry validation failed for package 0 .*(answered 500|status: 500)/);
        if (type !== 'mcpb') {
          // (a HEAD answer has no body to be oversized)
          peers.faults.set(prefix, 'huge');
          await refused(
            [pkg()],
            new RegExp(`the ${type} registry could not be checked: response larger than`),
          );
        }
        peers.faults.set(prefix, 'hang');
        const urls = loadConfig(peers.env).packageValidation!;
        const trusted = new Set([new URL(urls.npm).host]);
        const http = createPackageHttp({ userAgent: 't', trustedHosts: trusted, timeoutMs: 150 });
        const checker = createOwnershipChecker({ urls, userAgent: 't', http });
        await assert.rejects(checker.check(serverJson({ packages: [pkg()] }), 'x'), (e: Error) => {
          assert.match(
            JSON.stringify(e),
            new RegExp(`the ${type} registry could not be checked: timed out after 150 ms`),
          );
          return true;
        });
        // Last: for OCI it is accepted (and stored).
        peers.faults.set(prefix, { status: 429, headers: { 'retry-after': '5' } });
        if (type === 'oci') assert.equal((await accepted(pkg())).warnings?.length, 1);
        else await refused([pkg()], /(answered 429|status: 429)/);
      });
    }
  });

  test('edit checks ownership too', async () => {
    peers.npm.set('@example/weather@1.0.0', { mcpName: NAME });
    await accepted(npm());
    peers.npm.set('@example/weather@1.0.0', { mcpName: 'io.github.someone/else' });
    const admin = await api.token();
    const res = await api.request('PUT', `/v0/servers/${encodeURIComponent(NAME)}/versions/1.0.0`, {
      body: serverJson({ packages: [npm()], description: 'edited' }),
      token: admin,
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().detail, 'Failed to edit server');
  });

  test('a registry that does not answer in time refuses the publish with the reason', async () => {
    peers.faults.set('npm', 'hang');
    const urls = loadConfig(peers.env).packageValidation!;
    const http = createPackageHttp({
      userAgent: 't',
      trustedHosts: new Set([new URL(urls.npm).host]),
      timeoutMs: 200,
    });
    const checker = createOwnershipChecker({ urls, userAgent: 't', http });
    await assert.rejects(
      checker.check(serverJson({ packages: [npm()] }), 'Failed to publish server'),
      (e: Error) => {
        assert.match(
          JSON.stringify(e),
          /registry validation failed for package 0 \(@example\/weather\): the npm registry could not be checked: timed out after 200 ms/,
        );
        return true;
      },
    );
  });
});

describe('package validation settings', () => {
  test('off on the embedded default, on with DATABASE_URL, and PACKAGE_VALIDATION decides', () => {
    assert.equal(loadConfig({}).packageValidation, undefined);
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://x@h/db' }).packageValidation?.npm,
      'https://registry.npmjs.org',
    );
    assert.equal(
      loadConfig({ DATABASE_URL: 'postgres://x@h/db', PACKAGE_VALIDATION: 'off' }).packageValidation,
      undefined,
    );
    assert.equal(loadConfig({ PACKAGE_VALIDATION: 'on' }).packageValidation?.cargo, 'https://crates.io');
    assert.throws(
      () => loadConfig({ PACKAGE_REGISTRY_HOST_OVERRIDES: '[1' }),
      /PACKAGE_REGISTRY_HOST_OVERRIDES: must be a JSON object/,
    );
  });
});
