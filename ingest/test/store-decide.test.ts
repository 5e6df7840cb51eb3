/**
 * Store by exception: the decision script in Redis (shadow-script.ts) against its TypeScript reference
 * (store-decide.ts), on random series with replays and late messages, and the order gate at the script level.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { storagePolicy, type DeviceKind } from '@tianwang/core/schemas';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { DeviceCache } from '../src/device-cache.js';
import { parseShadowReply } from '../src/shadow-script.js';
import { ShadowWriter, defineShadowCommand } from '../src/shadow-writer.js';
import { decide, newState, type Decision } from '../src/store-decide.js';
import { compilePolicy, type CompiledPolicy } from '../src/store-policy.js';
import type { Validated } from '../src/validator.js';
import { devices, freshPrefix, lookupOf } from './helpers.js';
import { randomSeries, rng } from './random-series.js';

type Ok = Extract<Validated, { ok: true }>;

let server: RedisServer;
let redis: Redis;
const fleet = [...devices(3), ...devices(3, 'boiler')];
const cache = new DeviceCache(lookupOf(fleet), 60_000);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  defineShadowCommand(redis);
  await cache.warm();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function message(id: string, value: Record<string, unknown>, ts = value.ts as number, sub = 0): Ok {
  return { ok: true, device: cache.get(id)!, ts, sub, clockSkew: false, deviceTs: 0, receivedAt: ts, body: { channel: 'telemetry', value } };
}

let entrySeq = 0;
/** Sends one script call for `batch` as the stream entries after the previous call's (so the gate lets it through). */
async function decideInRedis(writer: ShadowWriter, batch: Ok[]): Promise<Map<Ok, Decision>> {
  const pipe = redis.pipeline();
  const first = `${++entrySeq}-0`;
  const call = writer.queue(pipe, batch, { first, last: first })!;
  call.send(pipe);
  const results = (await pipe.exec())!;
  const reply = parseShadowReply(results[results.length - 1]![1]);
  if (reply.wait) throw new Error('the gate held a batch back');
  const out = new Map<Ok, Decision>();
  call.decided.forEach((v, i) => out.set(v, { mask: parseInt(reply.masks.slice(i * 4, i * 4 + 4), 16), restoreMask: 0, restoreValues: [] }));
  for (const r of reply.restores ? reply.restores.split(';') : []) {
    const [ordinal, mask, ...values] = r.split(',');
    const d = out.get(call.decided[Number(ordinal)]!)!;
    d.restoreMask = Number(mask);
    d.restoreValues = values.map(Number);
  }
  return out;
}

function reference(policy: CompiledPolicy) {
  const states = new Map<string, Float64Array>();
  return (v: Ok): Decision => {
    const c = policy.kinds[v.device.kind];
    let st = states.get(v.device.id);
    if (!st) states.set(v.device.id, (st = newState(c)));
    const values = new Float64Array(c.fields.length);
    c.encode(v.body.value as Record<string, unknown>, values, 0);
    return decide(c, st, v.ts, v.sub, values);
  };
}

describe('store by exception: the decisions in Redis', () => {
  it('match the TypeScript reference on random series, with replays and late messages', async () => {
    const policy = compilePolicy(storagePolicy({ heartbeatS: 20, overrides: 'elevator.runHours=1%,boiler.steamTemp=always' }));
    const writer = new ShadowWriter(pipelineKeys(freshPrefix()), 1000, policy);
    const ref = reference(policy);
    const r = rng(7);
    const t0 = 1_700_000_000_000;
    const streams = fleet.map((d, i) => ({ id: d.id, series: randomSeries(d.kind as DeviceKind, 300, 100 + i, t0) }));
    const sent: Ok[] = [];
    let stored = 0;
    let restores = 0;
    let late = 0;
    for (let step = 0; step < 300; ) {
      const batch: Ok[] = [];
      const take = 1 + Math.floor(r() * 5);
      for (; batch.length < take * fleet.length && step < 300; step++) {
        for (const s of streams) {
          const m = message(s.id, s.series[step]!);
          batch.push(m);
          sent.push(m);
        }
      }
      // now and then a message of the past again (a replay after a crash) or a reading that arrives late
      if (r() < 0.3 && sent.length > 50) {
        const old = sent[Math.floor(r() * (sent.length - 30))]!;
        batch.push(r() < 0.5 ? old : message(old.device.id, { ...(old.body.value as Record<string, unknown>), load: 77, door: 'open', pressure: 1.5 }, (old.ts as number) + 300));
        late++;
      }
      const got = await decideInRedis(writer, batch);
      // the script decides a device's messages in time order: so does the reference
      const order = [...batch].sort((a, b) => a.device.id.localeCompare(b.device.id) || a.ts - b.ts);
      for (const v of order) {
        const want = ref(v);
        expect(got.get(v), `${v.device.id} at ${v.ts}`).toEqual(want);
        stored += want.mask ? 1 : 0;
        restores += want.restoreMask ? 1 : 0;
      }
    }
    // the series exercised every path
    expect(late).toBeGreaterThan(10);
    expect(restores).toBeGreaterThan(0);
    expect(stored).toBeGreaterThan(100);
    expect(stored).toBeLessThan(sent.length);
  });
});
