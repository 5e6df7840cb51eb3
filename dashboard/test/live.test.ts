import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { silentLogger } from '@tianwang/core/log';
import { pipelineKeys, type PipelineKeys } from '@tianwang/core/pipeline';
import { freePort, waitFor } from '@tianwang/core/testing';
import { ShadowWriter, createShadowReader, defineShadowCommand } from '@tianwang/ingest';
import { BoardState } from '../src/live/board-state.js';
import { LiveFeed } from '../src/live/feed.js';
import { openSse, type SseStream } from './helpers/sse.js';
import { login, startWorld, type World } from './helpers/world.js';

type Batch = Parameters<ShadowWriter['queue']>[1];

let w: World;
let redis: Redis;
let keys: PipelineKeys;
let writer: ShadowWriter;
let base: string;

const DEVICES: Record<string, { unitId: string; districtId: string; kind: 'elevator' | 'boiler' }> = {
  'EL-1': { unitId: 'U1', districtId: 'G1', kind: 'elevator' },
  'EL-2': { unitId: 'U2', districtId: 'G2', kind: 'elevator' },
  'EL-3': { unitId: 'U3', districtId: 'G3', kind: 'elevator' },
  'EL-LATE': { unitId: 'U1', districtId: 'G1', kind: 'elevator' },
};

/** What ingest does for a valid message: the shadow script (hash, pub/sub feed, change stream), through ingest's own writer. */
async function report(id: string, body: Batch[number] extends infer V ? (V extends { ok: true; body: infer B } ? B : never) : never, ts = Date.now()): Promise<void> {
  const d = DEVICES[id]!;
  const v = { ok: true as const, device: { id, kind: d.kind, enabled: true, unitId: d.unitId, districtId: d.districtId, tagSet: '' }, ts, sub: 0, clockSkew: false, receivedAt: ts, body };
  const pipe = redis.pipeline();
  // queue() prepares the script call, send() puts it on the pipeline (ingest resends it the same way after a gate wait)
  writer.queue(pipe, [v] as Batch)?.send(pipe);
  await pipe.exec();
}
const telemetry = (floor: number) => ({ channel: 'telemetry' as const, value: { floor, direction: 'up', speed: 1.2, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'normal', runCount: 10, runHours: 1.5, load: 30 } });

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
      await a.waitFor((e) => e.event === 'ready');
      await b.waitFor((e) => e.event === 'ready');
      const sent = Date.now();
      await report('EL-1', telemetry(7), sent);
      await report('EL-3', telemetry(9), sent);
      await report('EL-1', { channel: 'status', value: { state: 'online' } } as Batch[number] extends { body: infer B } ? B : never, sent);
      const e1 = await a.waitFor((e) => e.event === 'device' && (e.data as { id: string }).id === 'EL-1' && !!(e.data as { telemetry?: unknown }).telemetry);
      expect(e1.at - sent).toBeLessThan(2000);
      expect(e1.data).toMatchObject({ id: 'EL-1', telemetry: { floor: 7, direction: 'up' }, telemetryTs: sent, online: true, onlineSince: sent });
      const e3 = await b.waitFor((e) => e.event === 'device' && (e.data as { id: string }).id === 'EL-3');
      expect(e3.data).toMatchObject({ id: 'EL-3', telemetry: { floor: 9 } });
      // a later flush has had its chance to leak: the east stream never carries a western device, nor the reverse
      await report('EL-2', telemetry(3));
      await a.waitFor((e) => e.event === 'device' && (e.data as { id: string }).id === 'EL-2');
      expect(a.events.filter((e) => (e.data as { id?: string }).id === 'EL-3')).toEqual([]);
      expect(b.events.filter((e) => ['EL-1', 'EL-2'].includes((e.data as { id?: string }).id ?? ''))).toEqual([]);
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
      await c.waitFor((e) => e.event === 'ready');
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) await report('EL-1', telemetry(i), t0 + i);
      const last = await c.waitFor((e) => e.event === 'device' && (e.data as { telemetry?: { floor?: number } }).telemetry?.floor === 19);
      const updates = c.events.filter((e) => e.event === 'device' && (e.data as { id: string }).id === 'EL-1');
      // 20 reports in well under a second reach the client as one or two flushes, the last with the newest values
      expect(updates.length).toBeLessThanOrEqual(2);
      expect(last.data).toMatchObject({ telemetryTs: t0 + 19 });
    } finally {
      c.close();
    }
  });

  it('a device moving out of a scope is removed there and arrives whole in the new one', async () => {
    const [east, west] = await Promise.all([login(w.dashboard, 'insp1'), login(w.dashboard, 'insp2')]);
    const a = await openSse(`${base}/api/v1/live`, east.headers());
    const b = await openSse(`${base}/api/v1/live`, west.headers());
    try {
      await Promise.all([a.waitFor((e) => e.event === 'ready'), b.waitFor((e) => e.event === 'ready')]);
      await w.registry.db.query(`UPDATE devices SET unit_id = 'U3' WHERE id = 'EL-2'`);
      w.dashboard.api.live.refreshSoon();
      expect((await a.waitFor((e) => e.event === 'remove')).data).toEqual({ id: 'EL-2' });
      const arrived = await b.waitFor((e) => e.event === 'device' && (e.data as { id: string }).id === 'EL-2');
      expect(arrived.data).toMatchObject({ id: 'EL-2', unitId: 'U3', districtId: 'G3', registrationCode: '31103101002019070002', telemetry: { floor: 3 } });
    } finally {
      await w.registry.db.query(`UPDATE devices SET unit_id = 'U2' WHERE id = 'EL-2'`);
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
    await report('EL-LATE', { channel: 'status', value: { state: 'online' } } as Batch[number] extends { body: infer B } ? B : never, at);
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
