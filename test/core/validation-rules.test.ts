import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createServerJsonValidator,
  PUBLISHER_PROVIDED_META_KEY,
  publisherProvidedSize,
  schemaUrlFor,
} from '../../core/validation/index.js';
import { assertError, type Doc, doc } from '../helpers/validation.js';

const validator = createServerJsonValidator();

/** Same document under the 2025-09-29 schema, which knows no title/icons: only the semantic rules see them. */
const oldDoc = (extra: Doc = {}): Doc => doc({ $schema: schemaUrlFor('2025-09-29'), ...extra });

function assertValid(d: Doc): void {
  const result = validator.validate(d);
  assert.deepEqual(
    result.issues.filter((i) => i.severity === 'error'),
    [],
  );
  assert.equal(result.valid, true);
}

describe('$schema', () => {
  it('is required', () => {
    const { $schema: _, ...rest } = doc();
    const issue = assertError(rest, 'schema-required', '$schema');
    assert.equal(issue.message, '$schema field is required');
    assertError(doc({ $schema: '' }), 'schema-required', '$schema');
  });

  it('must name one of the six versions', () => {
    const issue = assertError(
      doc({ $schema: 'https://static.modelcontextprotocol.io/schemas/2024-01-01/server.schema.json' }),
      'schema-version-unknown',
      '$schema',
    );
    for (const v of ['2025-07-09', '2025-09-16', '2025-09-29', '2025-10-11', '2025-10-17', '2025-12-11']) {
      assert.ok(issue.message.includes(v), issue.message);
    }
    assertError(doc({ $schema: 'https://example.com/server.json' }), 'schema-version-unknown', '$schema');
  });

  it('warns about, but accepts, an older version', () => {
    const result = validator.validate(oldDoc());
    assert.equal(result.valid, true);
    assert.deepEqual(
      result.issues.map((i) => [i.reference, i.severity, i.message]),
      [
        [
          'schema-version-outdated',
          'warning',
          'schema version 2025-09-29 is not the current version (2025-12-11)',
        ],
      ],
    );
  });

  it('still checks the body against the current schema when $schema is missing or unknown', () => {
    const { $schema: _, ...rest } = doc({ description: 'x'.repeat(101) });
    assertError(rest, 'schema:maxLength', 'description');
    assertError(doc({ $schema: 'nope', description: 'x'.repeat(101) }), 'schema:maxLength', 'description');
  });
});

describe('schema issues', () => {
  it('have readable messages and dotted/bracket paths', () => {
    const tooLong = assertError(doc({ description: 'x'.repeat(101) }), 'schema:maxLength', 'description');
    assert.equal(tooLong.type, 'schema');
    assert.equal(tooLong.message, 'must be at most 100 characters');
    assert.equal(
      assertError(doc({ description: '' }), 'schema:minLength', 'description').message,
      'must not be empty',
    );
    const missing = assertError(doc({ description: undefined }), 'schema:required', 'description');
    assert.equal(missing.message, '"description" is required');
    assert.equal(assertError(doc({ version: 7 }), 'schema:type', 'version').message, 'must be a string');
    const remote = { type: 'sse', url: 'ftp://x.example.com/sse' };
    assertError(doc({ remotes: [remote] }), 'schema:pattern', 'remotes[0].url');
    const meta = { [PUBLISHER_PROVIDED_META_KEY]: 'not an object' };
    assertError(doc({ _meta: meta }), 'schema:type', `_meta["${PUBLISHER_PROVIDED_META_KEY}"]`);
  });

  it('report only the alternative a transport or argument evidently meant', () => {
    const pkg = {
      registryType: 'npm',
      identifier: 'weather',
      version: '1.0.0',
      transport: { type: 'streamable-http' },
      packageArguments: [{ type: 'positional' }, { type: 'named' }, { type: 'flag' }],
    };
    const result = validator.validate(doc({ packages: [pkg] }));
    const schemaIssues = result.issues.filter((i) => i.type === 'schema').map((i) => [i.path, i.message]);
    assert.deepEqual(schemaIssues, [
      ['packages[0].packageArguments[0]', 'one of "valueHint", "value" is required'],
      ['packages[0].packageArguments[1].name', '"name" is required'],
      ['packages[0].packageArguments[2].type', 'must be one of: "positional", "named"'],
      ['packages[0].transport.url', '"url" is required'],
    ]);
  });
});

describe('name', () => {
  it('must follow the strict namespace/name pattern', () => {
    for (const name of [
      'io.github.example/-weather',
      'io.github.example/a/b',
      'noslash',
      'io.github./weather',
    ]) {
      assertError(doc({ name }), 'name-format', 'name');
    }
    assertValid(doc({ name: 'com.example.api/weather_2' }));
  });

  it('must be at most 200 characters', () => {
    const name = `io.example/${'a'.repeat(190)}`;
    assertError(doc({ name }), 'schema:maxLength', 'name');
    assertValid(doc({ name: name.slice(0, 200) }));
  });
});

describe('version', () => {
  it('rejects latest, ranges, blanks and overlong versions', () => {
    assertError(doc({ version: 'latest' }), 'version-reserved', 'version');
    for (const version of ['^1.2.3', '~1.2', '>=1.0.0', '1.2.3 - 2.0.0', '1.2 || 1.3', '1.x', '1.2.*']) {
      assertError(doc({ version }), 'version-range', 'version');
    }
    assertError(doc({ version: '   ' }), 'version-required', 'version');
    assertError(doc({ version: '1'.repeat(256) }), 'schema:maxLength', 'version');
  });

  it('accepts specific versions, semver or not', () => {
    for (const version of ['1.0.0', 'v2.1.0-beta.1', '2025.06.18', '0.0.1-seed', 'r42'])
      assertValid(doc({ version }));
  });
});

describe('title', () => {
  it('must not be whitespace only', () => {
    assertError(doc({ title: '   ' }), 'title-whitespace', 'title');
    assertValid(doc({ title: 'Weather' }));
  });

  it('must be 1..100 characters (schema, and a semantic rule for schemas without title)', () => {
    assertError(doc({ title: 'x'.repeat(101) }), 'schema:maxLength', 'title');
    assertError(oldDoc({ title: 'x'.repeat(101) }), 'title-length', 'title');
    assertError(oldDoc({ title: '' }), 'title-length', 'title');
    assertValid(oldDoc({ title: 'x'.repeat(100) }));
  });
});

describe('websiteUrl', () => {
  it('must be an absolute https URL', () => {
    assertError(doc({ websiteUrl: 'http://example.com/docs' }), 'website-url', 'websiteUrl');
    assertError(doc({ websiteUrl: 'example.com/docs' }), 'website-url', 'websiteUrl');
    assertValid(doc({ websiteUrl: 'https://example.com/docs' }));
  });
});

describe('repository', () => {
  const repo = (r: Doc) => doc({ repository: r });

  it('source must be github or gitlab', () => {
    assertError(
      repo({ url: 'https://bitbucket.org/a/b', source: 'bitbucket' }),
      'repository-source',
      'repository.source',
    );
    assertError(
      repo({ url: 'https://github.com/a/b', source: 'constructor' }),
      'repository-source',
      'repository.source',
    );
  });

  it('url must be a project URL on that forge', () => {
    assertError(
      repo({ url: 'https://github.com/only-owner', source: 'github' }),
      'repository-url',
      'repository.url',
    );
    assertError(
      repo({ url: 'https://gitlab.com/a/b', source: 'github' }),
      'repository-url',
      'repository.url',
    );
    assertValid(repo({ url: 'https://github.com/example/weather.git', source: 'github' }));
    assertValid(repo({ url: 'https://www.gitlab.com/example/weather/', source: 'gitlab' }));
  });

  it('subfolder must be a clean relative path', () => {
    for (const subfolder of ['/abs', 'trailing/', '../up', 'a/./b', 'a//b', 'a b', '.']) {
      assertError(
        repo({ url: 'https://github.com/a/b', source: 'github', subfolder }),
        'repository-subfolder',
        'repository.subfolder',
      );
    }
    assertValid(
      repo({ url: 'https://github.com/a/b', source: 'github', subfolder: 'src/servers/weather.v2' }),
    );
  });

  it('is skipped when url and source are both empty', () => {
    const result = validator.validate(repo({ url: '', source: '', subfolder: '/bad' }));
    assert.deepEqual(
      result.issues.filter((i) => i.reference.startsWith('repository-')),
      [],
    );
  });
});

describe('icons', () => {
  const icon = (i: Doc) => ({ icons: [{ src: 'https://example.com/icon.png', ...i }] });

  it('src must be an absolute https URL of at most 255 characters', () => {
    assertError(doc(icon({ src: 'http://example.com/icon.png' })), 'icon-src', 'icons[0].src');
    assertError(doc(icon({ src: 'data:image/png;base64,AAAA' })), 'icon-src', 'icons[0].src');
    assertError(
      doc(icon({ src: `https://example.com/${'a'.repeat(240)}` })),
      'schema:maxLength',
      'icons[0].src',
    );
    assertError(
      oldDoc(icon({ src: `https://example.com/${'a'.repeat(240)}` })),
      'icon-src-length',
      'icons[0].src',
    );
  });

  it('mimeType, sizes and theme must use the allowed values', () => {
    assertError(doc(icon({ mimeType: 'image/gif' })), 'schema:enum', 'icons[0].mimeType');
    assertError(oldDoc(icon({ mimeType: 'image/gif' })), 'icon-mime-type', 'icons[0].mimeType');
    assertError(oldDoc(icon({ sizes: ['48x48', '48'] })), 'icon-sizes', 'icons[0].sizes[1]');
    assertError(oldDoc(icon({ theme: 'blue' })), 'icon-theme', 'icons[0].theme');
    const good = icon({ mimeType: 'image/svg+xml', sizes: ['any', '48x48'], theme: 'dark' });
    assertValid(doc(good));
    assertValid(oldDoc(good));
  });
});

describe('_meta', () => {
  const key = PUBLISHER_PROVIDED_META_KEY;
  const path = `_meta["${key}"]`;
  /** A publisher-provided object whose compact JSON is exactly `bytes` long. */
  const sized = (bytes: number) => ({ pad: 'x'.repeat(bytes - '{"pad":""}'.length) });

  it('publisher-provided must be at most 4096 bytes of JSON', () => {
    assert.equal(publisherProvidedSize(doc({ _meta: { [key]: sized(4096) } })), 4096);
    assertValid(doc({ _meta: { [key]: sized(4096) } }));
    const issue = assertError(doc({ _meta: { [key]: sized(4097) } }), 'meta-publisher-provided-size', path);
    assert.match(issue.message, /publisher-provided extension exceeds 4KB limit \(4097 bytes\)/);
  });

  it('counts bytes as the official registry does (UTF-8, Go escapes <, >, &)', () => {
    assert.equal(publisherProvidedSize(doc({ _meta: { [key]: { a: 'é' } } })), '{"a":"é"}'.length + 1);
    assert.equal(publisherProvidedSize(doc({ _meta: { [key]: { a: '<&>' } } })), '{"a":""}'.length + 18);
    assert.equal(publisherProvidedSize(doc()), 0);
    assert.equal(publisherProvidedSize(null), 0);
  });

  it('other keys give a warning saying they will be dropped', () => {
    const result = validator.validate(
      doc({ _meta: { [key]: { tool: 'ci' }, 'com.example/custom': { a: 1 } } }),
    );
    assert.equal(result.valid, true);
    assert.deepEqual(
      result.issues.map((i) => [i.reference, i.path, i.severity]),
      [['meta-unknown-key', '_meta["com.example/custom"]', 'warning']],
    );
    assert.match(result.issues[0]?.message ?? '', /will be dropped/);
  });
});

describe('input that is not an object', () => {
  it('gives exactly one json issue', () => {
    for (const value of [null, undefined, [], [doc()], 42, 'server.json', true]) {
      const result = validator.validate(value);
      assert.equal(result.valid, false);
      assert.equal(result.issues.length, 1);
      assert.equal(result.issues[0]?.type, 'json');
      assert.equal(result.issues[0]?.reference, 'json-object');
      assert.equal(result.issues[0]?.path, '');
    }
  });
});
