import type { Knex } from 'knex';
import { badRequest, conflict, forbidden, unprocessable } from '../../core/errors.js';
import { isInNamespace } from '../../core/names.js';
import {
  hasPermission,
  type Permission,
  type PermissionAction,
  patternsFor,
} from '../../core/permissions.js';
import type { ServerJsonValidator, ValidationIssue } from '../../core/validation/index.js';
import type { OwnershipChecker } from '../ownership/index.js';

/** What the write services need: the database, the compiled validator and (for tests) the clock. */
export interface WriteContext {
  knex: Knex;
  validator: ServerJsonValidator;
  /** Package ownership proofs (publish and edit); undefined = not checked (embedded default, import). */
  ownership?: OwnershipChecker;
  /** Mirror mode: writes are refused except in the registry's own namespaces. */
  mirror?: { upstream: string; localNamespaces: readonly string[] };
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

/**
 * A mirror is a read-only replica of its upstream: a publish, edit or status change belongs upstream,
 * unless the name is in one of the namespaces this registry publishes itself (MIRROR_LOCAL_NAMESPACES).
 */
export function requireWritable(ctx: WriteContext, name: string): void {
  const mirror = ctx.mirror;
  if (!mirror || mirror.localNamespaces.some((ns) => isInNamespace(ns, name))) return;
  throw conflict(
    `This registry is a read-only mirror of ${mirror.upstream}: publish and change servers there`,
    mirror.localNamespaces.length
      ? [`only these namespaces are published here: ${mirror.localNamespaces.join(', ')}`]
      : undefined,
  );
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
