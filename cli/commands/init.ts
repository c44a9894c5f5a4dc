import { readFileSync, writeFileSync } from 'node:fs';
import { ClientError } from '../../client/errors.js';
import { CURRENT_SCHEMA_VERSION, schemaUrlFor } from '../../core/validation/schema-versions.js';
import type { CommandContext } from '../io.js';
import { DEFAULT_SERVER_FILE, printIssues, validateLocally } from '../server-file.js';

/**
 * `mcp-registry init [file]`: a server.json from what the project already declares (package.json,
 * pyproject.toml, the git remote), with the current `$schema`. A flag for every answer; questions
 * only on a terminal; the file is written only when the result validates, and never over an
 * existing one without --force.
 */
interface Detected {
  name?: string | undefined;
  description?: string | undefined;
  version?: string | undefined;
  repository?: string | undefined;
  npm?: string | undefined;
  pypi?: string | undefined;
}

export async function run({ io, out, args, options }: CommandContext): Promise<number> {
  const file = args[0] ?? DEFAULT_SERVER_FILE;
  const found = { ...(await fromPyproject()), ...fromPackageJson() };
  const repository = (options.repository as string | undefined) ?? found.repository ?? fromGitRemote();
  const ask = !options.yes && io.prompt ? io.prompt : undefined;
  const answer = async (flag: string, value: string | undefined, question: string): Promise<string> => {
    const given = (options[flag] as string | undefined) ?? value;
    if (given) return given;
    const typed = ask ? (await ask(`${question}: `)).trim() : '';
    if (typed) return typed;
    throw new ClientError(`init could not work out the ${flag}; pass --${flag}`, 'usage');
  };
  const name = await answer(
    'name',
    found.name ?? githubName(repository),
    'server name (e.g. io.github.you/weather)',
  );
  const description = await answer('description', found.description, 'one-line description');
  const version = await answer('version', found.version, 'version');

  const kind = (options.package as string | undefined) ?? (found.npm ? 'npm' : found.pypi ? 'pypi' : 'none');
  const identifier = kind === 'npm' ? found.npm : kind === 'pypi' ? found.pypi : undefined;
  if (kind !== 'none' && !identifier) {
    throw new ClientError(
      `--package ${kind}: no ${kind === 'npm' ? 'package.json' : 'pyproject.toml'} name found`,
      'usage',
    );
  }
  const document = {
    $schema: schemaUrlFor(CURRENT_SCHEMA_VERSION),
    name,
    description,
    version,
    ...(repository ? { repository: { url: repository, source: sourceOf(repository) } } : {}),
    ...(identifier
      ? { packages: [{ registryType: kind, identifier, version, transport: { type: 'stdio' } }] }
      : {}),
  };
  const validation = await validateLocally(document);
  if (!validation.valid) {
    printIssues(out, file, validation);
    throw new ClientError(
      `the detected answers do not make a valid server.json; ${file} was not written`,
      'usage',
    );
  }
  try {
    writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`, { flag: options.force ? 'w' : 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ClientError(
      code === 'EEXIST' ? `${file} exists; pass --force to replace it` : `cannot write ${file}: ${code}`,
      'usage',
    );
  }
  out.result(document);
  out.success(`wrote ${file} for ${name}@${version}`);
  if (kind === 'npm' && found.name !== name) {
    out.info(
      `the registry checks npm ownership: add "mcpName": "${name}" to package.json and publish the package`,
    );
  }
  if (kind === 'pypi')
    out.info(`the registry checks PyPI ownership: put "mcp-name: ${name}" in the package README`);
  out.info(`next: mcp-registry validate ${file} && mcp-registry login … && mcp-registry publish ${file}`);
  return 0;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function fromPackageJson(): Detected {
  const text = readText('package.json');
  if (!text) return {};
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ClientError('package.json is not valid JSON', 'usage');
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const repo = pkg.repository;
  const repository = str(typeof repo === 'object' && repo ? (repo as { url?: unknown }).url : repo);
  return {
    name: str(pkg.mcpName),
    description: str(pkg.description),
    version: str(pkg.version),
    repository: repository ? httpsRepository(repository) : undefined,
    npm: str(pkg.name),
  };
}

async function fromPyproject(): Promise<Detected> {
  const text = readText('pyproject.toml');
  if (!text) return {};
  const { parse } = await import('smol-toml');
  let project: Record<string, unknown>;
  try {
    project = (parse(text).project ?? {}) as Record<string, unknown>;
  } catch (err) {
    throw new ClientError(`pyproject.toml is not valid TOML: ${(err as Error).message}`, 'usage');
  }
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const urls = (project.urls ?? {}) as Record<string, unknown>;
  const repository = str(urls.Repository ?? urls.repository ?? urls.Source ?? urls.source);
  return {
    description: str(project.description),
    version: str(project.version),
    repository: repository ? httpsRepository(repository) : undefined,
    pypi: str(project.name),
  };
}

/** The origin remote's URL from .git/config (no git process is started). */
function fromGitRemote(): string | undefined {
  const config = readText('.git/config');
  const match = config && /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(config);
  return match?.[1] ? httpsRepository(match[1]) : undefined;
}

/** git@github.com:o/r.git, git+https://…/r.git → https://github.com/o/r */
function httpsRepository(raw: string): string {
  const scp = /^(?:git\+)?(?:ssh:\/\/)?git@([^:/]+)[:/](.+?)(?:\.git)?$/.exec(raw);
  if (scp) return `https://${scp[1]}/${scp[2]}`;
  return raw.replace(/^git\+/, '').replace(/\.git$/, '');
}

function githubName(repository: string | undefined): string | undefined {
  const m = repository && /^https:\/\/github\.com\/([^/]+)\/([^/]+)$/.exec(repository);
  return m ? `io.github.${m[1]}/${m[2]}` : undefined;
}

function sourceOf(repository: string): string {
  const host = /^https?:\/\/([^/]+)/.exec(repository)?.[1] ?? '';
  return host.includes('gitlab') ? 'gitlab' : host.includes('github') ? 'github' : host;
}
