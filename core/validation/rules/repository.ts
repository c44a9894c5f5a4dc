import { type JsonObject, recordField, stringField } from '../guards.js';
import { type RuleIssue, semanticError } from '../types.js';

// A Map, not an object literal: `source` is user data and must not reach Object.prototype keys.
const REPOSITORY_URL = new Map<string, RegExp>([
  ['github', /^https?:\/\/(www\.)?github\.com\/[\w.-]+\/[\w.-]+\/?$/],
  ['gitlab', /^https?:\/\/(www\.)?gitlab\.com\/[\w.-]+\/[\w.-]+\/?$/],
]);

/** `repository`: a GitHub or GitLab project URL, and a clean relative `subfolder`. */
export function checkRepository(doc: JsonObject): RuleIssue[] {
  const repo = recordField(doc, 'repository');
  if (repo === undefined) return [];
  const url = stringField(repo, 'url') ?? '';
  const source = stringField(repo, 'source') ?? '';
  // An empty repository object is how some tools say "none"; the official registry skips it too.
  if (url === '' && source === '') return [];

  const issues: RuleIssue[] = [];
  const pattern = REPOSITORY_URL.get(source);
  if (pattern === undefined) {
    issues.push(
      semanticError(
        'repository.source',
        'repository-source',
        `unsupported repository source ${JSON.stringify(source)}: must be "github" or "gitlab"`,
      ),
    );
  } else if (typeof repo.url === 'string' && !pattern.test(url)) {
    issues.push(
      semanticError(
        'repository.url',
        'repository-url',
        `invalid repository URL for source ${source}: ${url}`,
      ),
    );
  }
  const subfolder = stringField(repo, 'subfolder');
  if (subfolder !== undefined && subfolder !== '' && !isCleanRelativePath(subfolder)) {
    issues.push(
      semanticError(
        'repository.subfolder',
        'repository-subfolder',
        `invalid subfolder path: ${subfolder} (must be a relative path of letters, digits, '-', '_', '.' and '/', ` +
          "without leading or trailing '/', empty, '.' or '..' segments)",
      ),
    );
  }
  return issues;
}

function isCleanRelativePath(path: string): boolean {
  if (path.startsWith('/') || path.endsWith('/') || !/^[a-zA-Z0-9\-_./]+$/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
