import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { HTTP_DEFAULTS, MAX_PARAM_LENGTH, MAX_VERSION_LENGTH } from '../../core/limits.js';
import { remoteUrlKey, remoteUrlsOf } from '../../core/server-json.js';
import { unaddressableVersion } from '../../core/validation/index.js';

describe('connection settings', () => {
  it('default to core/limits.ts and keep the headers timeout within the request timeout', () => {
    const config = loadConfig({});
    assert.deepEqual(config.http, HTTP_DEFAULTS);
    assert.equal(config.metricsToken, undefined);
    const tight = loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '5000' });
    assert.equal(tight.http.headersTimeoutMs, 2000);
    assert.equal(loadConfig({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' }).http.maxConnectionsPerAddress, 0);
  });

  it('refuses a short METRICS_TOKEN', () => {
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), ConfigError);
  });
});

describe('one rule for versions', () => {
  it('counts code points, as the schema does, and the router fits the longest', () => {
    assert.equal(unaddressableVersion('😀'.repeat(MAX_VERSION_LENGTH)), undefined);
    assert.equal(unaddressableVersion('😀'.repeat(MAX_VERSION_LENGTH + 1))?.reference, 'version-length');
    assert.ok(encodeURIComponent('😀'.repeat(MAX_VERSION_LENGTH)).length <= MAX_PARAM_LENGTH);
  });

  it('refuses control characters, unpaired surrogates and blanks', () => {
    for (const v of ['1\r\n', '1\u001b[31m', '1\u007f', '1\u0085', '1\ud800', ' ', '']) {
      assert.notEqual(unaddressableVersion(v), undefined, JSON.stringify(v));
    }
    for (const v of ['1.0.0', '1.0.0+build.7', '2025-01-01', 'v1 beta', 'é']) {
      assert.equal(unaddressableVersion(v), undefined, v);
    }
  });
});

describe('remote URL normal form', () => {
  it('lower-cases scheme and host, drops the default port, the fragment and trailing slashes', () => {
    const same = [
      'https://api.example.com/mcp',
      'HTTPS://API.Example.com/mcp',
      'https://api.example.com:443/mcp',
      'https://api.example.com/mcp/',
      'https://api.example.com/mcp//',
      'https://api.example.com/x/../mcp',
      'https://api.example.com/mcp#section',
    ];
    for (const url of same) assert.equal(remoteUrlKey(url), 'https://api.example.com/mcp', url);
    assert.equal(remoteUrlKey('https://api.example.com/'), remoteUrlKey('https://api.example.com'));
  });

  it('keeps what makes another endpoint: port, path, query; templates compare as written', () => {
    assert.equal(remoteUrlKey('https://api.example.com:8443/mcp'), 'https://api.example.com:8443/mcp');
    assert.equal(
      remoteUrlKey('https://api.example.com/mcp?tenant=a'),
      'https://api.example.com/mcp?tenant=a',
    );
    assert.notEqual(
      remoteUrlKey('https://api.example.com/mcp'),
      remoteUrlKey('https://api.example.com/mcp2'),
    );
    assert.equal(remoteUrlKey('https://{tenant}.example.com/mcp'), 'https://{tenant}.example.com/mcp');
  });

  it('remoteUrlsOf claims each normal form once', () => {
    const doc = {
      remotes: [
        { type: 'sse', url: 'https://a.example/sse' },
        { type: 'sse', url: 'https://A.example/sse/' },
        { type: 'sse' },
      ],
    };
    assert.deepEqual(remoteUrlsOf(doc), ['https://a.example/sse']);
  });
});
