import { ClientError } from '../../client/errors.js';
import type { ServerResponse, StatusChange, StatusValue } from '../../client/registry.js';
import { getRaw, parseJson, versionsUrl, versionUrl } from '../../client/site.js';
import type { CommandContext } from '../io.js';
import type { Output } from '../output.js';
import { currentToken, openSession, resolveReadUrl } from '../session.js';

const OFFICIAL = 'io.modelcontextprotocol.registry/official';

/**
 * `mcp-registry status <name> [version] --status active|deprecated|deleted [--message] [--all-versions]
 * [--yes]`: shows "from → to" for each version (current statuses read from the read side, deleted
 * versions included), asks before changing every version unless --yes, then changes it.
 */
export async function run(context: CommandContext): Promise<number> {
  const { io, out, args, options } = context;
  const [name, version] = args as [string, string | undefined];
  const status = options.status as StatusValue | undefined;
  if (!status) throw new ClientError('--status is required (active, deprecated or deleted)', 'usage');
  const all = options.allVersions === true;
  if (all === (version !== undefined)) {
    throw new ClientError('give either a version or --all-versions', 'usage');
  }
  const change: StatusChange = {
    status,
    ...(options.message ? { statusMessage: String(options.message) } : {}),
  };
  const session = openSession(context);
  const readUrl = await resolveReadUrl(session, options.readUrl);
  const current = await currentStatuses(out, readUrl, name, version);

  if (all) {
    out.info(`this changes ${current.length ? current.length : 'every'} version(s) of ${name}:`);
    for (const v of current) out.info(`  ${v.version}: ${v.status} → ${status}`);
    if (!options.yes) {
      if (!io.prompt)
        throw new ClientError('changing every version needs --yes when there is no terminal to ask', 'usage');
      const answer = (await io.prompt('continue? [y/N] ')).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        out.info('nothing changed');
        return 1;
      }
    }
    const token = await currentToken(session, out);
    const result = await session.registry.setAllVersionsStatus(name, change, token);
    out.result({ name, status, updatedCount: result?.updatedCount ?? null, previous: current });
    out.success(`${name}: ${result?.updatedCount ?? 'all'} version(s) now ${status}`);
    return 0;
  }
  const from = current[0]?.status ?? 'unknown';
  out.info(`${name} ${version}: ${from} → ${status}`);
  const token = await currentToken(session, out);
  const updated = await session.registry.setVersionStatus(name, version as string, change, token);
  const now = updated?._meta?.[OFFICIAL]?.status ?? status;
  out.result({ name, version, from, to: now });
  out.success(`${name} ${version} is now ${now}`);
  return 0;
}

/** Current statuses from the read side (deleted versions included); empty, with a note, when unknown. */
async function currentStatuses(
  out: Output,
  readUrl: string | undefined,
  name: string,
  version: string | undefined,
): Promise<{ version: string; status: string }[]> {
  if (!readUrl) {
    out.warn('the read side’s URL is unknown (pass --read-url): the current status is not shown');
    return [];
  }
  const url =
    version === undefined ? versionsUrl(readUrl, name, true) : versionUrl(readUrl, name, version, true);
  try {
    const body = await getRaw(url);
    const entries =
      version === undefined
        ? parseJson<{ servers: ServerResponse[] }>(body, url.href).servers
        : [parseJson<ServerResponse>(body, url.href)];
    return entries.map((e) => ({
      version: e.server.version,
      status: e._meta?.[OFFICIAL]?.status ?? 'unknown',
    }));
  } catch (err) {
    out.warn(`cannot read the current status (${(err as Error).message})`);
    return [];
  }
}
