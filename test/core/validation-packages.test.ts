import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createServerJsonValidator } from '../../core/validation/index.js';
import { assertError, type Doc, doc } from '../helpers/validation.js';

const validator = createServerJsonValidator();

const SHA = 'fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce';
const npm = (extra: Doc = {}): Doc => ({
  registryType: 'npm',
  identifier: '@example/weather-mcp',
  version: '1.0.0',
  transport: { type: 'stdio' },
  ...extra,
});
const withPackage = (pkg: Doc) => doc({ packages: [pkg] });
const withRemote = (remote: Doc) => doc({ remotes: [remote] });

function assertValid(d: Doc): void {
  const result = validator.validate(d);
  assert.deepEqual(result.issues, []);
  assert.equal(result.valid, true);
}

describe('packages', () => {
  it('identifier must not contain spaces', () => {
    assertError(
      withPackage(npm({ identifier: 'weather mcp' })),
      'package-identifier-spaces',
      'packages[0].identifier',
    );
  });

  it('version follows the same rules as the server version', () => {
    assertError(withPackage(npm({ version: '^1.0.0' })), 'version-range', 'packages[0].version');
    assertError(withPackage(npm({ version: '1.x' })), 'version-range', 'packages[0].version');
    assertError(withPackage(npm({ version: ' ' })), 'version-required', 'packages[0].version');
    // The package schema itself forbids "latest"; the issue is reported once, by the schema.
    const result = validator.validate(withPackage(npm({ version: 'latest' })));
    assert.deepEqual(
      result.issues.map((i) => [i.reference, i.path, i.message]),
      [['schema:not', 'packages[0].version', 'must not be "latest"']],
    );
  });

  it('rejects unsupported registry types', () => {
    const issue = assertError(
      withPackage(npm({ registryType: 'maven' })),
      'package-registry-type',
      'packages[0].registryType',
    );
    assert.equal(issue.message, 'unsupported registry type: maven');
  });

  describe('npm, pypi, nuget, cargo', () => {
    it('need a version', () => {
      for (const registryType of ['npm', 'pypi', 'nuget', 'cargo']) {
        const { version: _, ...pkg } = npm({ registryType, identifier: 'weather' });
        assertError(withPackage(pkg), 'package-version-required', 'packages[0].version');
      }
    });

    it('accept only their default registryBaseUrl', () => {
      assertError(
        withPackage(npm({ registryBaseUrl: 'https://registry.yarnpkg.com' })),
        'package-registry-base-url',
        'packages[0].registryBaseUrl',
      );
      assertError(
        withPackage(npm({ registryType: 'nuget', registryBaseUrl: 'https://api.nuget.org' })),
        'package-registry-base-url',
        'packages[0].registryBaseUrl',
      );
      for (const [registryType, registryBaseUrl] of [
        ['npm', 'https://registry.npmjs.org'],
        ['pypi', 'https://pypi.org'],
        ['nuget', 'https://api.nuget.org/v3/index.json'],
        ['cargo', 'https://crates.io'],
      ]) {
        assertValid(withPackage(npm({ registryType, registryBaseUrl, identifier: 'weather' })));
        assertValid(withPackage(npm({ registryType, identifier: 'weather' })));
      }
    });

    it('must not carry fileSha256', () => {
      assertError(withPackage(npm({ fileSha256: SHA })), 'package-file-sha256', 'packages[0].fileSha256');
    });
  });

  describe('oci', () => {
    const oci = (extra: Doc = {}) => ({
      registryType: 'oci',
      identifier: 'ghcr.io/example/weather:1.0.0',
      transport: { type: 'stdio' },
      ...extra,
    });

    it('must not have version, registryBaseUrl or fileSha256', () => {
      assertError(withPackage(oci({ version: '1.0.0' })), 'package-version-forbidden', 'packages[0].version');
      assertError(
        withPackage(oci({ registryBaseUrl: 'https://docker.io' })),
        'package-registry-base-url',
        'packages[0].registryBaseUrl',
      );
      assertError(withPackage(oci({ fileSha256: SHA })), 'package-file-sha256', 'packages[0].fileSha256');
    });

    it('identifier must be a reference with a tag or digest', () => {
      for (const identifier of [
        'ghcr.io/example/weather',
        'ghcr.io/Example/Weather:1',
        'ghcr.io/example/weather@sha256:abc',
        '@scope/pkg:1',
      ]) {
        assertError(withPackage(oci({ identifier })), 'package-oci-identifier', 'packages[0].identifier');
      }
    });

    it('identifier must be on an allowed registry', () => {
      for (const identifier of [
        'registry.example.com/team/weather:1.0.0',
        'localhost:5000/weather:1',
        'ghcr.io:443/a/b:1',
      ]) {
        assertError(withPackage(oci({ identifier })), 'package-oci-registry', 'packages[0].identifier');
      }
    });

    it('accepts allowed registries, tags, digests and Docker Hub short forms', () => {
      for (const identifier of [
        'docker.io/example/weather:1.0.0',
        'registry-1.docker.io/example/weather:1.0.0',
        'index.docker.io/example/weather:latest',
        'quay.io/org/weather:v2',
        'mcr.microsoft.com/mcp/server:1.0',
        'us-docker.pkg.dev/project/repo/weather:1.0.0',
        'example.azurecr.io/weather:1.0.0',
        `ghcr.io/example/weather@sha256:${SHA}`,
        `ghcr.io/example/weather:1.0.0@sha256:${SHA}`,
        'example/weather:1.0.0',
        'postgres:16',
      ]) {
        assertValid(withPackage(oci({ identifier })));
      }
    });
  });

  describe('mcpb', () => {
    const url = 'https://github.com/example/weather-mcp/releases/download/v1.0.0/weather.mcpb';
    const mcpb = (extra: Doc = {}) => ({
      registryType: 'mcpb',
      identifier: url,
      fileSha256: SHA,
      transport: { type: 'stdio' },
      ...extra,
    });

    it('needs a fileSha256', () => {
      const { fileSha256: _, ...pkg } = mcpb();
      assertError(withPackage(pkg), 'package-file-sha256', 'packages[0].fileSha256');
      assertError(withPackage(mcpb({ fileSha256: 'ABC' })), 'schema:pattern', 'packages[0].fileSha256');
    });

    it('must not have registryBaseUrl', () => {
      assertError(
        withPackage(mcpb({ registryBaseUrl: 'https://github.com' })),
        'package-registry-base-url',
        'packages[0].registryBaseUrl',
      );
    });

    it('identifier must be an https GitHub/GitLab release download containing "mcp"', () => {
      for (const identifier of [
        'http://github.com/example/weather-mcp/releases/download/v1/weather.mcpb',
        'https://example.com/mcp/weather.mcpb',
        'https://github.com/example/weather/releases/download/v1/weather.zip',
        'https://github.com/example/weather-mcp/archive/v1.zip',
        'https://gitlab.com/example/weather-mcp/-/raw/main/weather.mcpb',
        'not a url',
      ]) {
        assertError(withPackage(mcpb({ identifier })), 'package-mcpb-identifier', 'packages[0].identifier');
      }
    });

    it('accepts GitHub and GitLab release assets, with or without version', () => {
      assertValid(withPackage(mcpb()));
      assertValid(withPackage(mcpb({ version: '1.0.0' })));
      assertValid(
        withPackage(
          mcpb({ identifier: 'https://gitlab.com/group/sub/weather-mcp/-/releases/v1/downloads/w.mcpb' }),
        ),
      );
      assertValid(
        withPackage(
          mcpb({ identifier: 'https://gitlab.com/group/weather-mcp/-/package_files/123/download' }),
        ),
      );
    });
  });

  describe('transport', () => {
    it('stdio must have no url', () => {
      assertError(
        withPackage(npm({ transport: { type: 'stdio', url: 'http://localhost:3000' } })),
        'transport-url',
        'packages[0].transport.url',
      );
    });

    it('streamable-http and sse need a valid url', () => {
      assertError(
        withPackage(npm({ transport: { type: 'sse' } })),
        'schema:required',
        'packages[0].transport.url',
      );
      assertError(
        withPackage(npm({ transport: { type: 'sse', url: 'http://[oops/sse' } })),
        'transport-url',
        'packages[0].transport.url',
      );
    });

    it('url variables must name an env var, an argument name or a valueHint of the package', () => {
      const transport = { type: 'streamable-http', url: 'http://localhost:{port}/mcp' };
      const issue = assertError(
        withPackage(npm({ transport })),
        'transport-url-variable',
        'packages[0].transport.url',
      );
      assert.match(issue.message, /undefined template variables: port/);
      assertValid(withPackage(npm({ transport, environmentVariables: [{ name: 'port' }] })));
      assertValid(withPackage(npm({ transport, runtimeArguments: [{ type: 'named', name: 'port' }] })));
      assertValid(
        withPackage(npm({ transport, packageArguments: [{ type: 'positional', valueHint: 'port' }] })),
      );
      assertValid(
        withPackage(
          npm({
            transport: { type: 'sse', url: 'http://{host}:{--port}/sse' },
            packageArguments: [
              { type: 'named', name: '--port' },
              { type: 'positional', valueHint: 'host' },
            ],
          }),
        ),
      );
    });
  });

  describe('named arguments', () => {
    const arg = (a: Doc, list = 'packageArguments') =>
      withPackage(npm({ [list]: [{ type: 'named', ...a }] }));

    it('name must be the flag alone', () => {
      for (const name of ['--port <n>', '--dir=$HOME', '<path>', '--port 8080']) {
        assertError(arg({ name }), 'argument-name', 'packages[0].packageArguments[0].name');
      }
      assertError(
        arg({ name: '--port <n>' }, 'runtimeArguments'),
        'argument-name',
        'packages[0].runtimeArguments[0].name',
      );
      assertValid(arg({ name: '--port', value: '8080' }));
    });

    it('value and default must not start with the flag', () => {
      assertError(
        arg({ name: '--port', value: '--port=8080' }),
        'argument-value-prefix',
        'packages[0].packageArguments[0].value',
      );
      assertError(
        arg({ name: '-e', default: '-e FOO=1' }),
        'argument-value-prefix',
        'packages[0].packageArguments[0].default',
      );
      assertValid(arg({ name: '-e', value: 'FOO={foo}', default: 'FOO=1' }));
    });
  });
});

describe('remotes', () => {
  it('type must be streamable-http or sse (reported once)', () => {
    const result = validator.validate(withRemote({ type: 'stdio', url: 'https://example.com/mcp' }));
    assert.equal(result.valid, false);
    assert.deepEqual(
      result.issues.map((i) => [i.path, i.message]),
      [['remotes[0].type', 'must be one of: "streamable-http", "sse"']],
    );
  });

  it('url must use https', () => {
    assertError(
      withRemote({ type: 'sse', url: 'http://mcp.example.com/sse' }),
      'remote-https',
      'remotes[0].url',
    );
  });

  it('url must not point to a local or private host', () => {
    for (const url of [
      'https://localhost/mcp',
      'https://LOCALHOST./mcp',
      'https://api.localhost/mcp',
      'https://127.0.0.1/mcp',
      'https://127.1/mcp',
      'https://2130706433/mcp',
      'https://[::1]/mcp',
      'https://[::ffff:127.0.0.1]/mcp',
      'https://0.0.0.0/mcp',
      'https://10.1.2.3/mcp',
      'https://192.168.0.10:8443/mcp',
      'https://169.254.169.254/latest',
      'https://[fe80::1]/mcp',
    ]) {
      assertError(withRemote({ type: 'streamable-http', url }), 'remote-host', 'remotes[0].url');
    }
    assertValid(withRemote({ type: 'streamable-http', url: 'https://8.8.8.8/mcp' }));
    assertValid(withRemote({ type: 'streamable-http', url: 'https://[2001:db8::1]/mcp' }));
  });

  it('every {var} in the url is declared in variables', () => {
    const url = 'https://{region}.example.com/mcp/{tenant_id}';
    const issue = assertError(
      withRemote({ type: 'streamable-http', url, variables: { region: {} } }),
      'remote-url-variable',
      'remotes[0].url',
    );
    assert.match(issue.message, /tenant_id/);
    assertValid(
      withRemote({
        type: 'streamable-http',
        url,
        variables: { region: {}, tenant_id: { isRequired: true } },
      }),
    );
  });
});
