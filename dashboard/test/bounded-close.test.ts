import { connect } from 'node:net';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@tianwang/core/log';
import { closeWithin, trackRequests } from '../src/http/bounded-close.js';

// A CI run once waited 30–40 s in a browser test's teardown for the dashboard's app.close(): fastify closes idle
// connections at once but waits for every request in progress. A request that never completes must not hold a
// shutdown for longer than the grace period (dashboard/src/index.ts closes its app this way).
const GRACE = 1_000;

async function appWithStuckRoute() {
  const app = Fastify();
  const open = trackRequests(app.server);
  // a handler that never answers: the request stays in progress for as long as its connection lives
  app.get('/stuck', () => new Promise(() => {}));
  app.get('/ok', async () => ({ ok: true }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, open, port };
}

function logLines() {
  const lines: Array<{ msg: string; requests?: string[] }> = [];
  return { lines, log: createLogger({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) }) };
}

describe('closeWithin', () => {
  it('cuts a request still in progress after the grace period, and logs its path (never its query)', async () => {
    const { app, open, port } = await appWithStuckRoute();
    const { lines, log } = logLines();
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write('GET /stuck?token=signed-secret HTTP/1.1\r\nHost: x\r\n\r\n');
    await expect.poll(() => open()).toEqual(['GET /stuck']);
    const t0 = Date.now();
    await closeWithin(app, open, log, GRACE);
    const ms = Date.now() - t0;
    await ended;
    expect(ms).toBeGreaterThanOrEqual(GRACE - 50);
    expect(ms).toBeLessThan(GRACE + 3_000);
    expect(lines.map((l) => [l.msg, l.requests])).toEqual([['http: requests still in progress at shutdown; closing their connections', ['GET /stuck']]]);
  }, 20_000);

  it('returns at once when no request is in progress, idle keep-alive connections included', async () => {
    const { app, open, port } = await appWithStuckRoute();
    const { lines, log } = logLines();
    expect((await fetch(`http://127.0.0.1:${port}/ok`)).status).toBe(200);
    const t0 = Date.now();
    await closeWithin(app, open, log, GRACE);
    expect(Date.now() - t0).toBeLessThan(GRACE);
    expect(lines).toEqual([]);
    expect(open()).toEqual([]);
  });
});
