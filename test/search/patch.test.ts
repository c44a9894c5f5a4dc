import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DocTermChange,
  patchShard,
  shardPostings,
  type TermRow,
} from '../../core/search/build-index.js';
import { encodeShard } from '../../core/search/index-format.js';
import type { FieldRank } from '../../core/search/text.js';
import { prng } from '../helpers/random.js';

const TERMS = ['weather', 'web', 'wei', 'we', 'west', 'wet'];

/** A shard's terms per server: server → term → field. */
type State = Map<string, Map<string, FieldRank>>;

function rowsOf(state: State, docs: Map<string, number>): TermRow[] {
  return [...state].flatMap(([serverName, terms]) =>
    [...terms].map(([term, field]) => ({ term, field, serverName, doc: docs.get(serverName) as number })),
  );
}

describe('patching a shard', () => {
  it('gives the same bytes as encoding the stored terms afresh, over random changes', () => {
    const random = prng(5);
    const names = Array.from({ length: 40 }, (_, i) => `io.github.u${i}/${TERMS[i % TERMS.length]}-x${i}`);
    const docs = new Map(names.map((n, i) => [n, i * 3]));
    const randomTerms = () => {
      const terms = new Map<string, FieldRank>();
      for (const term of TERMS) if (random() < 0.4) terms.set(term, Math.floor(random() * 5) as FieldRank);
      return terms;
    };
    let state: State = new Map(names.slice(0, 20).map((n) => [n, randomTerms()]));
    let shard = encodeShard(shardPostings(rowsOf(state, docs)));
    for (let round = 0; round < 50; round++) {
      const next: State = new Map(state);
      const changes: DocTermChange[] = [];
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        const serverName = names[Math.floor(random() * names.length)] as string;
        if (changes.some((c) => c.serverName === serverName)) continue;
        const before = state.get(serverName) ?? new Map();
        const after = random() < 0.2 ? new Map<string, FieldRank>() : randomTerms();
        next.set(serverName, after);
        changes.push({ doc: docs.get(serverName) as number, serverName, before, after });
      }
      shard = patchShard(shard, 'we', changes);
      state = next;
      assert.equal(
        JSON.stringify(shard),
        JSON.stringify(encodeShard(shardPostings(rowsOf(state, docs)))),
        `round ${round}`,
      );
    }
  });
});
