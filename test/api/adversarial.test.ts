import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { allSpecs, buildCase } from '../helpers/adversarial.js';
import { type TestApi, useTestApi } from '../helpers/app.js';
import { testBackends } from '../helpers/db.js';

/**
 * Issue 10: every input of the adversarial corpus gets a 4xx or a valid answer from the API, never
 * a 5xx: POST /validate always answers 200, publish 200 or 4xx problem+json.
 */
const specs = allSpecs();

for (const backend of testBackends()) {
  describe(`adversarial input through the API (${backend.name})`, () => {
    let api: TestApi;
    let token: string;
    useTestApi(backend, (f) => {
      ({ api, token } = f);
    });

    const answer = async (body: string) => {
      const validated = await api.request('POST', '/v0/validate', { rawBody: body });
      assert.equal(validated.statusCode, 200, validated.body.slice(0, 300));
      const published = await api.request('POST', '/v0/publish', { token, rawBody: body });
      assert.ok(published.statusCode < 500, `${published.statusCode}: ${published.body.slice(0, 300)}`);
      if (published.statusCode !== 200) {
        assert.equal(published.headers['content-type'], 'application/problem+json; charset=utf-8');
      }
      // What /validate accepts, publish accepts (barring a duplicate from an earlier draw).
      if (validated.json().valid === true)
        assert.ok([200, 400].includes(published.statusCode), published.body);
    };

    test('the findings, deep nesting and wide objects', async () => {
      for (const spec of specs.filter((s) => s.kind !== 'run' && s.kind !== 'wide')) {
        await answer(buildCase(spec).body);
      }
    });

    test('drawn runs of special characters and wide arrays', async () => {
      const drawn = fc.sample(
        fc.constantFrom(...specs.filter((s) => s.kind === 'run' || s.kind === 'wide')),
        {
          numRuns: 60,
          seed: 10,
        },
      );
      for (const spec of drawn) await answer(buildCase(spec).body);
    });
  });
}
