import { PUBLISHER_PROVIDED_MAX_BYTES, PUBLISHER_PROVIDED_META_KEY } from '../../server-json.js';
import { type JsonObject, recordField } from '../guards.js';
import { publisherProvidedSize } from '../normalize.js';
import { fieldPath } from '../paths.js';
import { type RuleIssue, semanticError, semanticWarning } from '../types.js';

/**
 * `_meta`: only the publisher-provided object is stored, and it is limited to 4 KB; any other key is
 * accepted but will be dropped, which the publisher should hear about.
 */
export function checkMeta(doc: JsonObject): RuleIssue[] {
  const meta = recordField(doc, '_meta');
  if (meta === undefined) return [];
  const issues: RuleIssue[] = [];
  const size = publisherProvidedSize(doc);
  if (size > PUBLISHER_PROVIDED_MAX_BYTES) {
    issues.push(
      semanticError(
        fieldPath('_meta', PUBLISHER_PROVIDED_META_KEY),
        'meta-publisher-provided-size',
        `_meta.${PUBLISHER_PROVIDED_META_KEY} extension exceeds 4KB limit (${size} bytes)`,
      ),
    );
  }
  for (const key of Object.keys(meta)) {
    if (key === PUBLISHER_PROVIDED_META_KEY) continue;
    issues.push(
      semanticWarning(
        fieldPath('_meta', key),
        'meta-unknown-key',
        `_meta key ${JSON.stringify(key)} is not stored and will be dropped; ` +
          `only ${JSON.stringify(PUBLISHER_PROVIDED_META_KEY)} is kept`,
      ),
    );
  }
  return issues;
}
