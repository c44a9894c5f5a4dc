import type { JsonObject } from '../guards.js';
import type { RuleIssue } from '../types.js';
import { checkIcons } from './icons.js';
import { checkMeta } from './meta.js';
import { checkPackages } from './packages.js';
import { checkRepository } from './repository.js';
import { checkServerFields } from './server.js';
import { checkRemotes } from './transports.js';

/** Every semantic rule except `$schema` (which also picks the schema version), in document order. */
export function runSemanticRules(doc: JsonObject): RuleIssue[] {
  return [
    ...checkServerFields(doc),
    ...checkRepository(doc),
    ...checkIcons(doc),
    ...checkPackages(doc),
    ...checkRemotes(doc),
    ...checkMeta(doc),
  ];
}
