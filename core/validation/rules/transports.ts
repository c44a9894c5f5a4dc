import { arrayField, isRecord, type JsonObject, presentString, recordField, stringField } from '../guards.js';
import { fieldPath, indexPath } from '../paths.js';
import { type RuleIssue, semanticError } from '../types.js';
import { ARGUMENT_LISTS } from './arguments.js';
import { isLocalOrPrivateHost, parseHttpTemplate, templateVariables } from './urls.js';

const HTTP_TRANSPORTS = ['streamable-http', 'sse'];

/**
 * A package's transport. `stdio` has no URL; http transports need one, which may use `{var}` naming an
 * environment variable, an argument name or a positional argument's valueHint of the same package
 * (e.g. `http://localhost:{--port}/mcp`). Package URLs may be plain http and local: they run locally.
 */
export function checkPackageTransport(pkg: JsonObject, path: string): RuleIssue[] {
  const transport = recordField(pkg, 'transport');
  if (transport === undefined) return [];
  const type = stringField(transport, 'type');
  if (type === undefined) return [];
  const at = fieldPath(path, 'transport');
  const url = presentString(transport, 'url');
  if (type === 'stdio') {
    if (url === undefined) return [];
    return [
      semanticError(
        fieldPath(at, 'url'),
        'transport-url',
        `url must be empty for stdio transport type, got: ${url}`,
      ),
    ];
  }
  if (!HTTP_TRANSPORTS.includes(type)) {
    return [
      semanticError(fieldPath(at, 'type'), 'transport-type', `unsupported transport type: ${type}`, true),
    ];
  }
  if (url === undefined) {
    return typeof transport.url === 'string' || transport.url === undefined
      ? [
          semanticError(
            fieldPath(at, 'url'),
            'transport-url',
            `url is required for ${type} transport type`,
            true,
          ),
        ]
      : [];
  }
  if (parseHttpTemplate(url) === undefined) {
    return [semanticError(fieldPath(at, 'url'), 'transport-url', `invalid package transport URL: ${url}`)];
  }
  return checkTemplateVariables(url, packageVariables(pkg), fieldPath(at, 'url'), 'transport-url-variable');
}

/** Names a package transport URL may reference. */
function packageVariables(pkg: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const env of arrayField(pkg, 'environmentVariables')) {
    if (isRecord(env) && typeof env.name === 'string') names.add(env.name);
  }
  for (const list of ARGUMENT_LISTS) {
    for (const arg of arrayField(pkg, list)) {
      if (!isRecord(arg)) continue;
      for (const key of ['name', 'valueHint']) {
        const value = presentString(arg, key);
        if (value !== undefined) names.add(value);
      }
    }
  }
  return names;
}

/** `remotes[]`: public https endpoints; every `{var}` in the URL is declared in the remote's `variables`. */
export function checkRemotes(doc: JsonObject): RuleIssue[] {
  return arrayField(doc, 'remotes').flatMap((remote, i) =>
    isRecord(remote) ? checkRemote(remote, indexPath('remotes', i)) : [],
  );
}

function checkRemote(remote: JsonObject, path: string): RuleIssue[] {
  const type = stringField(remote, 'type');
  if (type !== undefined && !HTTP_TRANSPORTS.includes(type)) {
    return [
      semanticError(
        fieldPath(path, 'type'),
        'remote-type',
        `unsupported transport type for remotes: ${type} (only streamable-http and sse are supported)`,
        true,
      ),
    ];
  }
  const at = fieldPath(path, 'url');
  const url = presentString(remote, 'url');
  if (url === undefined) {
    return typeof remote.url === 'string' || remote.url === undefined
      ? [semanticError(at, 'remote-url', `url is required for ${type ?? 'remote'} transport type`, true)]
      : [];
  }
  const parsed = parseHttpTemplate(url);
  if (parsed === undefined) return [semanticError(at, 'remote-url', `invalid remote URL: ${url}`)];
  const issues: RuleIssue[] = [];
  if (parsed.protocol !== 'https:')
    issues.push(semanticError(at, 'remote-https', `remote URL must use https: ${url}`));
  if (isLocalOrPrivateHost(parsed.hostname)) {
    issues.push(
      semanticError(
        at,
        'remote-host',
        `remote URL must not point to localhost or a private/loopback address: ${url}`,
      ),
    );
  }
  const variables = recordField(remote, 'variables') ?? {};
  issues.push(...checkTemplateVariables(url, new Set(Object.keys(variables)), at, 'remote-url-variable'));
  return issues;
}

function checkTemplateVariables(
  url: string,
  available: Set<string>,
  path: string,
  reference: string,
): RuleIssue[] {
  const undefinedNames = templateVariables(url).filter((name) => !available.has(name));
  if (undefinedNames.length === 0) return [];
  const known = available.size > 0 ? [...available].join(', ') : 'none';
  return [
    semanticError(
      path,
      reference,
      `URL ${url} references undefined template variables: ${[...new Set(undefinedNames)].join(', ')} (available: ${known})`,
    ),
  ];
}
