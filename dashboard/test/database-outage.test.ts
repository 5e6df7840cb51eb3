import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createLogger } from '@tianwang/core/log';
import { waitFor } from '@tianwang/core/testing';
import { login, startWorld, type Login, type World } from './helpers/world.js';

// The whole-system soak restarts PostgreSQL under load. A request that arrives while the database is shutting down
// or starting up fails with SQLSTATE 57P01 (its connection terminated) or 57P03 (cannot connect now): that is an
// outage to report and retry, a 503 and a warning, never a 500 logged as a bug.
let w: World;
let admin: Login;
const lines: Array<{ level: number; msg: string }> = [];
beforeAll(async () => {
  const log = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  w = await startWorld({ backend: 'postgres', deps: { log } });
  admin = await login(w.dashboard, 'admin');
}, 120_000);
afterAll(() => w?.close());

const alarms = () => w.dashboard.app.inject({ method: 'GET', url: '/api/v1/alarms', headers: admin.headers() });
const ERROR = 50;

describe('the dashboard while PostgreSQL shuts down', () => {
  it('answers 503 TW_DEPENDENCY_UNAVAILABLE with Retry-After, logs a warning and no error, and serves again after the restart', async () => {
    expect((await alarms()).statusCode).toBe(200);
    const server = w.postgres!;
    // A smart shutdown waits for this session, so the cluster stays in "shutting down" while the test runs; the
    // dashboard's own connections are terminated first, so its next query must open a new one and is refused.
    const held = new pg.Client({ connectionString: server.url });
    held.on('error', () => {});
    await held.connect();
    await held.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`);
    server.child.kill('SIGTERM');
    const refused = await waitFor(async () => {
      const probe = new pg.Client({ connectionString: server.url });
      probe.on('error', () => {});
      try {
        await probe.connect();
        await probe.end();
        return undefined;
      } catch (err) {
        return (err as { code?: string }).code;
      }
    }, { what: 'PostgreSQL refusing connections while shutting down' });
    expect(refused).toBe('57P03');

    lines.length = 0;
    const res = await alarms();
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toEqual({ code: 'TW_DEPENDENCY_UNAVAILABLE', message: 'a dependency is unavailable; try again shortly' });
    expect(lines.filter((l) => l.level >= ERROR)).toEqual([]);
    expect(lines.some((l) => l.msg === 'dependency unavailable')).toBe(true);

    await held.end();
    await server.restart();
    await waitFor(async () => (await alarms()).statusCode === 200 || undefined, { what: 'the alarm list again after the restart' });
  }, 60_000);
});
