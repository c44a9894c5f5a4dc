/** Issue and result shapes of POST /validate, identical to the official registry's. */

export type IssueType = 'json' | 'schema' | 'semantic' | 'linter';
export type Severity = 'error' | 'warning' | 'info';

export interface ValidationIssue {
  type: IssueType;
  /** Where the problem is, in the official dotted/bracket form, e.g. `packages[0].transport.url`; '' = whole document. */
  path: string;
  message: string;
  severity: Severity;
  /** Stable rule id, e.g. `version-range` or `schema:maxLength`. */
  reference: string;
}

export interface ValidationResult {
  /** True when no issue has severity `error` (warnings do not block a publish). */
  valid: boolean;
  issues: ValidationIssue[];
}

/**
 * A semantic issue as a rule reports it. `mirrorsSchema` marks checks that restate a JSON-Schema
 * constraint (so they also hold for documents whose older `$schema` lacks it); the validator drops such
 * an issue when the schema already reported an error at the same path, so users see each problem once.
 */
export interface RuleIssue extends ValidationIssue {
  mirrorsSchema?: boolean;
}

export function semanticError(
  path: string,
  reference: string,
  message: string,
  mirrorsSchema = false,
): RuleIssue {
  return {
    type: 'semantic',
    path,
    message,
    severity: 'error',
    reference,
    ...(mirrorsSchema ? { mirrorsSchema } : {}),
  };
}

export function semanticWarning(path: string, reference: string, message: string): RuleIssue {
  return { type: 'semantic', path, message, severity: 'warning', reference };
}
