import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@tianwang/core/testing';
import { openPostgres } from '../src/registry/db-postgres.js';
import type { Db } from '../src/registry/db.js';

// The soak's PostgreSQL restart killed an alerts worker: "Unhandled 'error' event … Connection terminated unexpectedly"
// on a pg Client. A client checked out for a transaction has no 'error' listener of the pool's; when the server goes
// away between two statements of the transaction, the client emits 'error' and Node ends the process.
describe('PostgreSQL restarting under an open transaction', () => {
  let server: PostgresServer;
  let db: Db;
  beforeAll(async () => {
    server = await startPostgres();
    db = await openPostgres(server.url);
    await db.exec('CREATE TABLE t (n int)');
  });
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it('the transaction fails with an error, the process lives, and the pool works again after the restart', async () => {
    let inside!: () => void;
    const entered = new Promise<void>((r) => (inside = r));
    let resume!: () => void;
    const held = new Promise<void>((r) => (resume = r));
    const tx = db.transaction(async (q) => {
      await q.query('INSERT INTO t VALUES (1)');
      inside();
      await held; // the server shuts down here, between two statements
      await q.query('INSERT INTO t VALUES (2)');
    });
    const outcome = tx.then(() => 'committed', (err: Error) => err.message);
    await entered;
    await server.restart();
    resume();
    expect(await outcome).not.toBe('committed');
    // a broken client is not handed out again: the next statements reach the restarted server
    await db.query('INSERT INTO t VALUES (3)');
    expect(await db.query<{ n: number }>('SELECT n FROM t ORDER BY n')).toEqual([{ n: 3 }]);
  });
});
