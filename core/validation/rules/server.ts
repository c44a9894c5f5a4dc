import { describeServerNameProblem, SERVER_NAME_MAX_LENGTH, SERVER_NAME_MIN_LENGTH } from '../../names.js';
import { codePointLength, type JsonObject, stringField } from '../guards.js';
import { type RuleIssue, semanticError } from '../types.js';
import { checkVersionString } from './version.js';

/** Top-level scalar fields: name, version, title, websiteUrl. (description is left to the schema.) */
export function checkServerFields(doc: JsonObject): RuleIssue[] {
  return [...checkName(doc), ...checkTopVersion(doc), ...checkTitle(doc), ...checkWebsiteUrl(doc)];
}

function checkName(doc: JsonObject): RuleIssue[] {
  const name = stringField(doc, 'name');
  if (name === undefined) return []; // missing or not a string: a schema issue
  const issues: RuleIssue[] = [];
  const problem = describeServerNameProblem(name);
  if (problem !== undefined) issues.push(semanticError('name', 'name-format', problem));
  if (name.length < SERVER_NAME_MIN_LENGTH || name.length > SERVER_NAME_MAX_LENGTH) {
    issues.push(
      semanticError(
        'name',
        'name-length',
        `server name must be ${SERVER_NAME_MIN_LENGTH} to ${SERVER_NAME_MAX_LENGTH} characters long`,
        true,
      ),
    );
  }
  return issues;
}

function checkTopVersion(doc: JsonObject): RuleIssue[] {
  const version = stringField(doc, 'version');
  return version === undefined ? [] : checkVersionString('version', version);
}

function checkTitle(doc: JsonObject): RuleIssue[] {
  const title = stringField(doc, 'title');
  if (title === undefined) return [];
  const length = codePointLength(title);
  if (length < 1 || length > 100) {
    return [semanticError('title', 'title-length', 'title must be 1 to 100 characters long', true)];
  }
  if (title.trim() === '')
    return [semanticError('title', 'title-whitespace', 'title cannot be only whitespace')];
  return [];
}

function checkWebsiteUrl(doc: JsonObject): RuleIssue[] {
  const url = stringField(doc, 'websiteUrl');
  if (url === undefined || url === '') return [];
  const parsed = URL.parse(url);
  if (parsed === null || parsed.protocol !== 'https:') {
    return [semanticError('websiteUrl', 'website-url', `websiteUrl must be an absolute https URL: ${url}`)];
  }
  return [];
}
