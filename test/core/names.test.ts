import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidServerName, nameKey, namespaceOf, SERVER_NAME_PATTERN } from '../../core/names.js';

describe('server names', () => {
  it('accepts reverse-DNS namespace / name', () => {
    for (const name of [
      'io.github.alice/weather',
      'com.example.api/server_v2',
      'io.modelcontextprotocol.anonymous/brave-search',
      'ab/cd',
      'io.github.Alice/Weather.Tool',
    ]) {
      assert.equal(isValidServerName(name), true, name);
    }
  });

  it('rejects names whose parts do not start and end alphanumeric, or without exactly one slash', () => {
    for (const name of [
      'noslash',
      'a/b/c',
      '/weather',
      'io.github.alice/',
      '-io.github/weather',
      'io.github./weather',
      'io.github/_weather',
      'io.github/weather-',
      'io_github/weather', // underscore is not allowed in the namespace
      'io github/weather',
      'a/b', // each side needs at least two characters
      'io.github.alice/wea ther',
      '',
    ]) {
      assert.equal(isValidServerName(name), false, name);
    }
  });

  it('enforces 3..200 characters', () => {
    const longest = `io.example/${'a'.repeat(200 - 'io.example/'.length)}`;
    assert.equal(longest.length, 200);
    assert.equal(isValidServerName(longest), true);
    assert.equal(isValidServerName(`${longest}b`), false);
    assert.equal(SERVER_NAME_PATTERN.test(`${longest}b`), true, 'the pattern alone has no length limit');
  });

  it('rejects non-strings without throwing', () => {
    for (const value of [undefined, null, 42, {}, ['io.github.a/b']])
      assert.equal(isValidServerName(value), false);
  });

  it('nameKey folds letter case so look-alike names collide', () => {
    assert.equal(nameKey('io.github.Alice/Weather'), 'io.github.alice/weather');
    assert.equal(nameKey('io.github.alice/weather'), nameKey('IO.GITHUB.ALICE/WEATHER'));
    assert.notEqual(nameKey('io.github.alice/weather'), nameKey('io.github.alice/weather2'));
  });

  it('namespaceOf returns the part before the slash', () => {
    assert.equal(namespaceOf('io.github.alice/weather'), 'io.github.alice');
    assert.equal(namespaceOf('com.example/x'), 'com.example');
    assert.equal(namespaceOf('noslash'), 'noslash');
  });
});
