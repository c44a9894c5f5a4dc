import pg from 'pg';
import type { Database } from './connect.js';

/**
 * Wakes builders when something changes: the `mcp_registry` channel carries `change:{seq}` after
 * every journal advance and `build:{id}` after every queued build request (triggers in the
 * operations migration; delivered at commit). On PostgreSQL a dedicated client LISTENs and reconnects
 * with backoff after a connection loss; on PGlite the embedded instance delivers in-process.
 * Listeners must not rely on it alone: a notification sent while disconnected is gone, so builders poll too.
 */
export interface Subscription {
  close(): Promise<void>;
}

const CHANNEL = 'mcp_registry';

export async function listenForChanges(
  db: Database,
  databaseUrl: string | undefined,
  onMessage: (payload: string) => void,
  onError: (err: Error) => void = () => undefined,
): Promise<Subscription> {
  if (db.kind === 'pglite') {
    const pglite = db.pglite;
    if (!pglite) throw new Error('PGlite database without its instance');
    const unsubscribe = await pglite.listen(CHANNEL, onMessage);
    return { close: () => unsubscribe() };
  }
  if (!databaseUrl) throw new Error('LISTEN on PostgreSQL needs the database URL');

  let closed = false;
  let client: pg.Client | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let delay = 250;
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: databaseUrl });
    next.on('notification', (message) => {
      if (message.channel === CHANNEL) onMessage(message.payload ?? '');
    });
    next.on('error', (err) => {
      onError(err);
      reconnect();
    });
    next.on('end', () => reconnect());
    client = next;
    await next.connect();
    await next.query(`listen ${CHANNEL}`);
    delay = 250;
    // Anything missed while disconnected: let the listener look.
    onMessage('reconnected');
  };
  const reconnect = () => {
    if (closed || retryTimer) return;
    const old = client;
    client = undefined;
    old?.removeAllListeners();
    old?.end().catch(() => undefined);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect().catch((err: Error) => {
        onError(err);
        reconnect();
      });
    }, delay);
    delay = Math.min(delay * 2, 10_000);
  };
  await connect();
  return {
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      const current = client;
      client = undefined;
      current?.removeAllListeners();
      await current?.end().catch(() => undefined);
    },
  };
}
