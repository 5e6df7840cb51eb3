import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '@tianwang/core/log';
import { pipelineKeys, type PipelineKeys } from '@tianwang/core/pipeline';
import { freePort, waitFor } from '@tianwang/core/testing';
import { ShadowWriter, createShadowReader, defineShadowCommand } from '@tianwang/ingest';
import { BoardState } from '../src/live/board-state.js';
import { LiveFeed } from '../src/live/feed.js';
import { elevatorReading, hasTelemetry, patchesOf, postWatch, reporter, statusReport, streamIdOf, waitForPatch, type DeviceFacts, type ReportBody } from './helpers/live.js';
import { openSse, type SseStream } from './helpers/sse.js';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let w: World;
let redis: Redis;
let keys: PipelineKeys;
let writer: ShadowWriter;
let base: string;

const DEVICES: Record<string, DeviceFacts> = {
  'EL-1': { unitId: 'U1', districtId: 'G1', kind: 'elevator' },
  'EL-2': { unitId: 'U2', districtId: 'G2', kind: 'elevator' },
  'EL-3': { unitId: 'U3', districtId: 'G3', kind: 'elevator' },
  'EL-LATE': { unitId: 'U1', districtId: 'G1', kind: 'elevator' },
};
const report = (id: string, body: ReportBody, ts?: number) => reporter(redis, writer, DEVICES)(id, body, ts);
const telemetry = elevatorReading;
/** The rows a connected stream watches, as the server holds them. */
function watchedBy(stream: string): ReadonlySet<string> | undefined {
  let found: ReadonlySet<string> | undefined;
  w.dashboard.api.live.fanout.each((c) => c.stream === stream && (found = c.watch));
  return found;
}
/** Waits for the stream's `ready` and watches those rows (204). */
async function watch(who: Login, s: SseStream, ids: string[]): Promise<void> {
  expect(await postWatch(w.dashboard, who, { stream: await streamIdOf(s), ids })).toBe(204);
}

beforeAll(async () => {
  const port = await freePort();
  w = await startWorld({ env: { TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port) } });
  await w.dashboard.start();
  base = `http://127.0.0.1:${port}`;
  redis = new Redis(w.redis.url);
  defineShadowCommand(redis);
  keys = pipelineKeys(w.config.common.keyPrefix);
  writer = new ShadowWriter(keys, 10_000);
});
afterAll(async () => {
  redis?.disconnect();
  await w?.close();
});

describe('live board over SSE', () => {
  it('delivers an in-scope change within 2 s and never an out-of-scope one', async () => {
    const [east, west] = await Promise.all([login(w.dashboard, 'insp1'), login(w.dashboard, 'insp2')]);
    const a: SseStream = await openSse(`${base}/api/v1/live`, east.headers());
    const b: SseStream = await openSse(`${base}/api/v1/live`, west.headers());
    try {
      expect(a.status).toBe(200);
      await watch(east, a, ['EL-1', 'EL-2']);
      await watch(west, b, ['EL-3']);
      const sent = Date.now();
      await report('EL-1', telemetry(7), sent);
      await report('EL-3', telemetry(9), sent);
      await report('EL-1', statusReport('online'), sent);
      const s1 = await waitForPatch(a, (p) => p.id === 'EL-1' && p.online === true);
      expect(s1).toMatchObject({ online: true, onlineSince: sent });
      const t1 = await waitForPatch(a, (p) => p.id === 'EL-1' && p.telemetryTs === sent);
      expect(t1.at - sent).toBeLessThan(2000);
      expect(t1).toMatchObject({ id: 'EL-1', telemetryTs: sent });
      expect({ ...(t1.telemetry as object), ...(t1.tm as object) }).toMatchObject({ floor: 7 });
      const t3 = await waitForPatch(b, (p) => p.id === 'EL-3' && p.telemetryTs === sent);
      expect({ ...(t3.telemetry as object), ...(t3.tm as object) }).toMatchObject({ floor: 9 });
      // a later flush has had its chance to leak: the east stream never carries a western device, nor the reverse
      await report('EL-2', telemetry(3));
      await waitForPatch(a, (p) => p.id === 'EL-2' && hasTelemetry(p));
      expect(patchesOf(a).filter((p) => p.id === 'EL-3')).toEqual([]);
      expect(patchesOf(b).filter((p) => ['EL-1', 'EL-2'].includes(p.id))).toEqual([]);
      // the list serves the same state
      const row = (await w.dashboard.app.inject({ method: 'GET', url: '/api/v1/devices?q=EL-1&kind=elevator', headers: east.headers() })).json().items[0];
      expect(row).toMatchObject({ id: 'EL-1', online: true, telemetry: { floor: 7 } });
    } finally {
      a.close();
      b.close();
    }
  });

  it('coalesces a device reporting many times within a second into one update per flush', async () => {
    const s = await login(w.dashboard, 'unit1');
    const c = await openSse(`${base}/api/v1/live`, s.headers());
    try {
      await watch(s, c, ['EL-1']);
      const before = patchesOf(c).length;
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) await report('EL-1', telemetry(i), t0 + i);
      const last = await waitForPatch(c, (p) => p.telemetryTs === t0 + 19);
      const updates = patchesOf(c).slice(before).filter((p) => p.id === 'EL-1' && hasTelemetry(p));
      // 20 reports in well under a second reach the client as one or two flushes, the last with the newest values
      expect(updates.length).toBeLessThanOrEqual(2);
      expect({ ...(last.telemetry as object), ...(last.tm as object) }).toMatchObject({ floor: 19 });
    } finally {
      c.close();
    }
  });

  it('a device moving out of a scope is removed there and arrives whole in the new one', async () => {
    const [east, west] = await Promise.all([login(w.dashboard, 'insp1'), login(w.dashboard, 'insp2')]);
    const a = await openSse(`${base}/api/v1/live`, east.headers());
    const b = await openSse(`${base}/api/v1/live`, west.headers());
    let moved = false;
    try {
      // its own reading, which the move must carry along (not one another test left behind)
      await report('EL-2', telemetry(3));
      await waitFor(() => w.dashboard.api.live.board.get('EL-2')?.telemetry?.floor === 3, { timeoutMs: 10_000, what: 'EL-2 at floor 3 on the board' });
      await Promise.all([a.waitFor((e) => e.event === 'ready'), b.waitFor((e) => e.event === 'ready')]);
      await w.registry.db.query(`UPDATE devices SET unit_id = 'U3' WHERE id = 'EL-2'`);
      moved = true;
      w.dashboard.api.live.refreshSoon();
      expect(await waitForPatch(a, (p) => p.removed === true)).toEqual({ id: 'EL-2', removed: true, at: expect.any(Number) });
      // nobody on the western side watches EL-2: it arrives whole all the same, telemetry included
      const arrived = await waitForPatch(b, (p) => p.id === 'EL-2');
      expect(arrived).toMatchObject({ id: 'EL-2', unitId: 'U3', districtId: 'G3', registrationCode: '31103101002019070002', telemetry: { floor: 3 } });
    } finally {
      // put back on the board too, and flushed (the west's streams told it left), not only in the registry:
      // another test watches EL-2 in the east and asserts that no western stream hears of it
      await w.registry.db.query(`UPDATE devices SET unit_id = 'U2' WHERE id = 'EL-2'`);
      if (moved) {
        w.dashboard.api.live.refreshSoon();
        await waitForPatch(b, (p) => p.id === 'EL-2' && p.removed === true);
      }
      a.close();
      b.close();
    }
  });

  it('a device registered after start that reported before the board knew it shows its state once the registry is re-read', async () => {
    await w.registry.devices.upsert({
      id: 'EL-LATE', kind: 'elevator', registrationCode: '31103101002019079876', name: '新梯', location: '', unitId: 'U1', maintenanceCompanyId: null,
      model: '', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
    });
    const at = Date.now();
    await report('EL-LATE', statusReport('online'), at);
    await report('EL-LATE', telemetry(4), at);
    // the feed delivered both before the board had a row for EL-LATE; the next registry read picks up its shadow
    w.dashboard.api.live.refreshSoon();
    await waitFor(() => w.dashboard.api.live.board.get('EL-LATE')?.online === true, { timeoutMs: 10_000, what: 'EL-LATE online on the board' });
    expect(w.dashboard.api.live.board.get('EL-LATE')).toMatchObject({ online: true, telemetry: { floor: 4 }, telemetryTs: at });
  });

  it('no session: 401', async () => {
    const c = await openSse(`${base}/api/v1/live`, {});
    expect(c.status).toBe(401);
    c.close();
  });
});

describe('viewport subscription (POST /live/watch)', () => {
  it('unwatched rows get their status but no telemetry; a watched row gets its telemetry at once, then only the changed keys', async () => {
    const east = await login(w.dashboard, 'insp1');
    const a = await openSse(`${base}/api/v1/live`, east.headers());
    try {
      await watch(east, a, ['EL-2']);
      const sent = Date.now();
      await report('EL-1', telemetry(11), sent);
      await report('EL-1', statusReport('offline'), sent);
      await report('EL-2', telemetry(12), sent);
      // EL-1's news was applied before EL-2's reading: by the flush that carries EL-2's, EL-1's status went out too
      await waitForPatch(a, (p) => p.id === 'EL-2' && p.telemetryTs === sent);
      expect(await waitForPatch(a, (p) => p.id === 'EL-1' && p.online === false)).toMatchObject({ onlineSince: sent });
      expect(patchesOf(a).filter((p) => p.id === 'EL-1' && hasTelemetry(p))).toEqual([]);
      // scrolled to EL-1: its current telemetry comes at once, not at its next reading
      const t = Date.now();
      await watch(east, a, ['EL-1']);
      const now = await waitForPatch(a, (p) => p.id === 'EL-1' && hasTelemetry(p));
      expect(now.at - t).toBeLessThan(2000);
      expect(now).toMatchObject({ telemetry: { floor: 11, direction: 'up' }, telemetryTs: sent });
      // the next reading changes one key: only that key travels
      await report('EL-1', telemetry(12), sent + 1);
      const next = await waitForPatch(a, (p) => p.id === 'EL-1' && p.telemetryTs === sent + 1);
      expect(next.tm).toEqual({ floor: 12 });
      expect(next.telemetry).toBeUndefined();
      // EL-2 is no longer watched: its next reading stays off this stream
      await report('EL-2', telemetry(13), sent + 2);
      await report('EL-1', telemetry(14), sent + 3);
      await waitForPatch(a, (p) => p.id === 'EL-1' && p.telemetryTs === sent + 3);
      expect(patchesOf(a).filter((p) => p.id === 'EL-2' && p.telemetryTs === sent + 2)).toEqual([]);
    } finally {
      a.close();
    }
  });

  it('ignores rows outside the caller\'s scope (and unknown ones) alike', async () => {
    const east = await login(w.dashboard, 'insp1');
    const a = await openSse(`${base}/api/v1/live`, east.headers());
    try {
      await watch(east, a, ['EL-3', 'NO-SUCH-DEVICE', 'EL-1']);
      expect(watchedBy(await streamIdOf(a))).toEqual(new Set(['EL-1']));
      const sent = Date.now();
      await report('EL-3', telemetry(21), sent);
      await report('EL-1', telemetry(22), sent);
      await waitForPatch(a, (p) => p.id === 'EL-1' && p.telemetryTs === sent);
      expect(patchesOf(a).filter((p) => p.id === 'EL-3')).toEqual([]);
    } finally {
      a.close();
    }
  });

  it('only the session that opened a stream sets its rows: another session, a made-up id: 404; no CSRF token: 403; too many rows: 400', async () => {
    const [mine, again, west] = await Promise.all([login(w.dashboard, 'insp1'), login(w.dashboard, 'insp1'), login(w.dashboard, 'insp2')]);
    const a = await openSse(`${base}/api/v1/live`, mine.headers());
    try {
      const stream = await streamIdOf(a);
      expect(await postWatch(w.dashboard, again, { stream, ids: ['EL-1'] })).toBe(404);
      expect(await postWatch(w.dashboard, west, { stream, ids: ['EL-1'] })).toBe(404);
      expect(await postWatch(w.dashboard, mine, { stream: 'made-up', ids: ['EL-1'] })).toBe(404);
      expect(await postWatch(w.dashboard, mine, { stream, ids: ['EL-1'] }, false)).toBe(403);
      expect(await postWatch(w.dashboard, mine, { stream, ids: Array.from({ length: 201 }, (_, i) => `EL-${i}`) })).toBe(400);
      expect(watchedBy(stream)?.size).toBe(0);
    } finally {
      a.close();
    }
  });
});

describe('live feed resync', () => {
  it('after a reconnect, re-reads with changesSince what pub/sub did not deliver', async () => {
    const reader = createShadowReader(w.redis.url, keys);
    const own = new Redis(w.redis.url, { connectionName: 'tw-feed-test' });
    const board = new BoardState();
    board.setRegistry([{ id: 'EL-3', kind: 'elevator', registrationCode: 'x', name: '', location: '', unitId: 'U3', unitName: '', districtId: 'G3', districtName: '', maintenanceCompanyId: null, enabled: true, lastMaintenanceOn: null, inspectionValidUntil: null, activeAlarms: 0 }], '2026-01-01');
    const feed = new LiveFeed(reader, own, keys, board, silentLogger(), 60_000);
    try {
      await feed.start();
      // a change that reached the stream and the shadow but not this subscriber (as while its connection was down)
      const ts = Date.now() + 5000;
      await redis.hset(keys.shadow('EL-3'), 'telemetry', JSON.stringify({ floor: 42 }), 'telemetryTs', String(ts));
      await redis.xadd(keys.shadowChanges, '*', 'c', JSON.stringify([{ id: 'EL-3', ts, changes: { telemetryTs: ts, clockSkew: false } }]));
      expect(board.get('EL-3')?.telemetry).not.toEqual({ floor: 42 });
      const [me] = (await redis.client('LIST').then((l) => String(l).split('\n').filter((x) => x.includes('name=tw-feed-test')))) as string[];
      await redis.client('KILL', 'ID', /id=(\d+)/.exec(me!)![1]!);
      await waitFor(() => board.get('EL-3')?.telemetryTs === ts, { timeoutMs: 10_000, what: 'the reading on the board' });
      expect(board.get('EL-3')).toMatchObject({ telemetry: { floor: 42 }, telemetryTs: ts });
    } finally {
      await feed.stop();
      await reader.close();
      own.disconnect();
    }
  });
});
