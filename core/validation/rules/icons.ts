import { arrayField, codePointLength, isRecord, type JsonObject } from '../guards.js';
import { fieldPath, indexPath } from '../paths.js';
import { type RuleIssue, semanticError } from '../types.js';
import { parseUrl } from './urls.js';

const MIME_TYPES = ['image/png', 'image/jpeg', 'image/jpg', 'image/svg+xml', 'image/webp'];
const SIZE = /^(\d+x\d+|any)$/;
const THEMES = ['light', 'dark'];

/** `icons[]`: absolute https `src` (no http, no data: URIs), known MIME type, WxH sizes, light/dark. */
export function checkIcons(doc: JsonObject): RuleIssue[] {
  return arrayField(doc, 'icons').flatMap((icon, i) =>
    isRecord(icon) ? checkIcon(icon, indexPath('icons', i)) : [],
  );
}

function checkIcon(icon: JsonObject, path: string): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const src = icon.src;
  if (typeof src === 'string') {
    const srcPath = fieldPath(path, 'src');
    if (parseUrl(src)?.protocol !== 'https:') {
      issues.push(semanticError(srcPath, 'icon-src', `icon src must be an absolute https URL: ${src}`));
    }
    if (codePointLength(src) > 255) {
      issues.push(semanticError(srcPath, 'icon-src-length', 'icon src must be at most 255 characters', true));
    }
  }
  const mimeType = icon.mimeType;
  if (typeof mimeType === 'string' && !MIME_TYPES.includes(mimeType)) {
    issues.push(
      semanticError(
        fieldPath(path, 'mimeType'),
        'icon-mime-type',
        `unsupported icon mimeType ${JSON.stringify(mimeType)}: must be one of ${MIME_TYPES.join(', ')}`,
        true,
      ),
    );
  }
  arrayField(icon, 'sizes').forEach((size, j) => {
    if (typeof size === 'string' && !SIZE.test(size)) {
      issues.push(
        semanticError(
          indexPath(fieldPath(path, 'sizes'), j),
          'icon-sizes',
          `invalid icon size ${JSON.stringify(size)}: must be WxH (e.g. 48x48) or "any"`,
          true,
        ),
      );
    }
  });
  const theme = icon.theme;
  if (typeof theme === 'string' && !THEMES.includes(theme)) {
    issues.push(
      semanticError(
        fieldPath(path, 'theme'),
        'icon-theme',
        `invalid icon theme ${JSON.stringify(theme)}: must be "light" or "dark"`,
        true,
      ),
    );
  }
  return issues;
}
