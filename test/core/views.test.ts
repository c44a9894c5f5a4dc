import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inView, LIST_VIEWS, listViewFor, VIEWS } from '../../core/layout/views.js';

const ROWS = ['active', 'deprecated', 'deleted'].flatMap((status) =>
  [false, true].map((isLatest) => ({ status, isLatest })),
);

describe('list views', () => {
  it('are the four official combinations of version=latest and include_deleted', () => {
    assert.deepEqual(LIST_VIEWS, ['live', 'all', 'latest', 'latest.all']);
    for (const view of LIST_VIEWS) assert.equal(listViewFor(VIEWS[view]), view);
  });

  it('inView: deleted versions only in the include_deleted views, non-latest ones only in the full lists', () => {
    const members = (view: (typeof LIST_VIEWS)[number]) =>
      ROWS.filter((r) => inView(view, r)).map((r) => `${r.status}${r.isLatest ? '*' : ''}`);
    assert.deepEqual(members('live'), ['active', 'active*', 'deprecated', 'deprecated*']);
    assert.deepEqual(members('all'), [
      'active',
      'active*',
      'deprecated',
      'deprecated*',
      'deleted',
      'deleted*',
    ]);
    assert.deepEqual(members('latest'), ['active*', 'deprecated*']);
    assert.deepEqual(members('latest.all'), ['active*', 'deprecated*', 'deleted*']);
  });
});
