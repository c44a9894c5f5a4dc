import type { Database } from './connect.js';

/**
 * One build at a time per target. On PostgreSQL a session advisory lock held on a connection of its
 * own for the whole build: it is released when the build ends or, if the process dies, when
 * PostgreSQL notices the connection is gone, so a crashed builder never blocks the next one. PGlite
 * lives in one process (its data directory is locked), so an in-process queue does the same job.
 */
export interface BuildLock {
  release(): Promise<void>;
}

const inProcess = new WeakMap<object, Map<string, Promise<void>>>();

async function lockInProcess(db: Database, name: string, wait: boolean): Promise<BuildLock | undefined> {
  let locks = inProcess.get(db.knex);
  if (!locks) {
    locks = new Map();
    inProcess.set(db.knex, locks);
  }
  for (;;) {
    const held = locks.get(name);
    if (!held) break;
    if (!wait) return undefined;
    await held;
  }
  let release!: () => void;
  locks.set(name, new Promise<void>((resolve) => (release = resolve)));
  const map = locks;
  return {
    release: async () => {
      map.delete(name);
      release();
    },
  };
}

interface RawConnection {
  query(sql: string, params: unknown[]): Promise<{ rows: { locked: boolean }[] }>;
}

export async function acquireBuildLock(
  db: Database,
  target: string,
  options: { wait: boolean; pollMs?: number },
): Promise<BuildLock | undefined> {
  const name = `mcp-registry:build:${target}`;
  if (db.kind === 'pglite') return lockInProcess(db, name, options.wait);
  const client = db.knex.client as {
    acquireConnection(): Promise<RawConnection>;
    releaseConnection(connection: RawConnection): Promise<void>;
  };
  const connection = await client.acquireConnection();
  try {
    for (;;) {
      const result = await connection.query(
        'select pg_try_advisory_lock(hashtextextended($1, 0)) as locked',
        [name],
      );
      if (result.rows[0]?.locked) break;
      if (!options.wait) {
        await client.releaseConnection(connection);
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  } catch (err) {
    await client.releaseConnection(connection);
    throw err;
  }
  return {
    release: async () => {
      try {
        await connection.query('select pg_advisory_unlock(hashtextextended($1, 0)) as locked', [name]);
      } finally {
        await client.releaseConnection(connection);
      }
    },
  };
}
