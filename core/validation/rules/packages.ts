import { arrayField, isRecord, type JsonObject, stringField } from '../guards.js';
import { fieldPath, indexPath } from '../paths.js';
import { type RuleIssue, semanticError } from '../types.js';
import { checkArguments } from './arguments.js';
import { checkRegistryType } from './registry-types.js';
import { checkPackageTransport } from './transports.js';
import { checkVersionString } from './version.js';

/** `packages[]`: identifier, version, per-registry shape, arguments and transport of each package. */
export function checkPackages(doc: JsonObject): RuleIssue[] {
  return arrayField(doc, 'packages').flatMap((pkg, i) =>
    isRecord(pkg) ? checkPackage(pkg, indexPath('packages', i)) : [],
  );
}

function checkPackage(pkg: JsonObject, path: string): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const identifier = stringField(pkg, 'identifier');
  if (identifier !== undefined && /\s/.test(identifier)) {
    issues.push(
      semanticError(
        fieldPath(path, 'identifier'),
        'package-identifier-spaces',
        'package name cannot contain spaces',
      ),
    );
  }
  const version = stringField(pkg, 'version');
  if (version !== undefined) issues.push(...checkVersionString(fieldPath(path, 'version'), version));
  issues.push(
    ...checkRegistryType(pkg, path),
    ...checkArguments(pkg, path),
    ...checkPackageTransport(pkg, path),
  );
  return issues;
}
