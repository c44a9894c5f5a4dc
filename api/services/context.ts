import type { Knex } from 'knex';
import { badRequest, forbidden, unprocessable } from '../../core/errors.js';
import {
  hasPermission,
  type Permission,
  type PermissionAction,
  patternsFor,
} from '../../core/permissions.js';
import type { ServerJsonValidator, ValidationIssue } from '../../core/validation/index.js';

/** What the write services need: the database, the compiled validator and (for tests) the clock. */
export interface WriteContext {
  knex: Knex;
  validator: ServerJsonValidator;
  /** The clock the latest rule compares a new version's publish time with; default: the system clock. */
  now?: () => Date;
  /** BLOCKED_NAMESPACES, checked again at publish (with the admins' list: services/sign-in.ts). */
  blockedNamespaces?: readonly string[];
}

/** Who is making a change: a token's principal, or an operator command with full rights. */
export interface Actor {
  /** Recorded in the journal, e.g. `none:anonymous`, `github-at:alice`, `cli:import`. */
  id: string;
  permissions: readonly Permission[];
}

export function requirePermission(actor: Actor, action: PermissionAction, name: string, verb: string): void {
  if (hasPermission(actor.permissions, action, name)) return;
  const held = patternsFor(actor.permissions, action);
  throw forbidden(
    `You do not have permission to ${verb} this server. You have permission to ${verb}: ` +
      `${held.length ? held.join(', ') : '(nothing)'}. Attempting to ${verb}: ${name}`,
  );
}

/** Schema and rule violations block a write with 422, listing every error-level issue. */
export function requireValid(validator: ServerJsonValidator, doc: unknown, what: string): ValidationIssue[] {
  const result = validator.validate(doc);
  if (!result.valid) {
    throw unprocessable(
      `${what}, invalid schema: call /validate for details`,
      result.issues
        .filter((i) => i.severity === 'error')
        .map((i) => ({ message: i.message, ...(i.path ? { location: i.path } : {}) })),
    );
  }
  return result.issues;
}

export const publishFailed = (message: string) => badRequest('Failed to publish server', [message]);
