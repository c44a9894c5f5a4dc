import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fold, queryWords, serverTerms, shardOf, textTerms } from '../../core/search/text.js';

describe('search text', () => {
  test('folding removes case, accents and compatibility forms', () => {
    assert.equal(fold('Café Ｍｃｐ ÅNGSTRÖM'), 'cafe mcp angstrom');
  });

  test('terms: words of letters and digits, camelCase parts too, 2..40 code points, no repeats', () => {
    assert.deepEqual(textTerms('WeatherAPI for io.github.alice — Café, café'), [
      'weatherapi',
      'weather',
      'api',
      'for',
      'io',
      'github',
      'alice',
      'cafe',
    ]);
    assert.deepEqual(textTerms('a b HTTPServer x9'), ['httpserver', 'http', 'server', 'x9']);
    assert.deepEqual(textTerms('天气 服务'), ['天气', '服务']);
    assert.deepEqual(textTerms(`${'z'.repeat(41)} ok`), ['ok']);
  });

  test('query words are folded like terms, one-letter words dropped', () => {
    assert.deepEqual(queryWords('  Weather-API  x Météo weather'), ['weather', 'api', 'meteo']);
    assert.deepEqual(queryWords('-- ! x'), []);
  });

  test('each term keeps the best field it occurs in, name first', () => {
    const terms = serverTerms({
      name: 'io.github.alice/weather-tools',
      title: 'Weather Tools',
      description: 'Forecasts from the open weather service',
      packages: [{ registryType: 'npm', identifier: '@alice/weather-mcp' }, { identifier: 7 }],
      remotes: [{ type: 'streamable-http', url: 'https://user@api.forecast.example:8443/mcp' }],
    });
    assert.equal(terms.get('weather'), 0);
    assert.equal(terms.get('tools'), 0);
    assert.equal(terms.get('forecasts'), 2);
    assert.equal(terms.get('mcp'), 3);
    assert.equal(terms.get('forecast'), 4);
    assert.equal(terms.has('user'), false, 'URL credentials are not the host');
    assert.equal(terms.has('8443'), false, 'the port is not the host');
  });

  test('a server gives at most 96 terms, best fields first', () => {
    const words = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ');
    const terms = serverTerms({ name: 'io.example/many', description: words });
    assert.equal(terms.size, 96);
    assert.equal(terms.get('io'), 0);
  });

  test('shards are the first two code points', () => {
    assert.equal(shardOf('weather'), 'we');
    assert.equal(shardOf('𝔘x'), '𝔘x');
  });
});
