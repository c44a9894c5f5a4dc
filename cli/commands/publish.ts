import { ApiError, ClientError } from '../../client/errors.js';
import type { ServerResponse } from '../../client/registry.js';
import { getRaw, versionUrl } from '../../client/site.js';
import type { CommandContext } from '../io.js';
import type { Output } from '../output.js';
import { DEFAULT_SERVER_FILE, printIssues, readServerFile, validateLocally } from '../server-file.js';
import { currentToken, openSession, resolveReadUrl } from '../session.js';

const POLL_MS = 250;

/**
 * `mcp-registry publish [file]`: validate locally, publish with a valid token (signing in again
 * unattended if it expired), then wait until the version answers at its read URL and print that
 * URL on stdout. Exit 1 if the registry refuses it or it does not show up in time.
 */
export async function run(context: CommandContext): Promise<number> {
  const { out, args, options } = context;
  const file = args[0] ?? DEFAULT_SERVER_FILE;
  const timeoutS = Number(options.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0)
    throw new ClientError('--timeout must be a number of seconds', 'usage');
  const document = readServerFile(file);
  const validation = await validateLocally(document);
  if (!validation.valid) {
    printIssues(out, file, validation);
    out.result({ published: false, validation });
    throw new ClientError(`${file} is not valid; nothing was published`, 'usage');
  }
  const session = openSession(context);
  const token = await currentToken(session, out);
  const { name, version } = document as { name: string; version: string };
  out.info(`publishing ${name}@${version} to ${session.registry.url} …`);
  let published: ServerResponse;
  try {
    published = await session.registry.publish(document, token);
  } catch (err) {
    if (err instanceof ApiError)
      out.result({ published: false, status: err.status, error: err.message, errors: err.details });
    throw err;
  }
  const official = published._meta?.['io.modelcontextprotocol.registry/official'];
  out.success(
    `published ${published.server.name}@${published.server.version}${official?.isLatest ? ' (latest)' : ''}`,
  );

  const summary = {
    published: true,
    name: published.server.name,
    version: published.server.version,
    status: official?.status ?? 'active',
    publishedAt: official?.publishedAt ?? null,
    isLatest: official?.isLatest ?? null,
  };
  const readUrl = await resolveReadUrl(session, options.readUrl);
  if (options.wait === false || !readUrl) {
    if (options.wait !== false)
      out.warn('the read side’s URL is unknown (pass --read-url or set MCP_REGISTRY_READ_URL); not waiting');
    out.result({
      ...summary,
      url: readUrl ? versionUrl(readUrl, summary.name, summary.version).href : null,
      visible: null,
    });
    return 0;
  }
  const url = versionUrl(readUrl, summary.name, summary.version);
  const visible = await waitUntilVisible(out, url, timeoutS * 1000);
  out.result({ ...summary, url: url.href, visible });
  if (!visible) {
    out.info(
      `error: ${url.href} did not answer within ${timeoutS} s (it is published; the read side is behind)`,
    );
    return 1;
  }
  out.data(url.href);
  return 0;
}

/** Polls the version's read URL until it answers 200 (the builder has written it and the CDN serves it). */
async function waitUntilVisible(out: Output, url: URL, timeoutMs: number): Promise<boolean> {
  const spinner = await out.spinner(`waiting for ${url.href}`);
  const started = Date.now();
  for (;;) {
    try {
      await getRaw(url);
      spinner.succeed(`visible after ${((Date.now() - started) / 1000).toFixed(1)} s: ${url.href}`);
      return true;
    } catch {
      // not there yet (404), or the read side is briefly unreachable
    }
    if (Date.now() - started >= timeoutMs) {
      spinner.fail(`not visible after ${Math.round(timeoutMs / 1000)} s`);
      return false;
    }
    spinner.update(`waiting for ${url.href} (${Math.round((Date.now() - started) / 1000)} s)`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
