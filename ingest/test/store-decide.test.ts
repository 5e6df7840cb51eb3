/**
 * Store by exception: the decision script in Redis (shadow-script.ts) against its TypeScript reference
 * (store-decide.ts), on random series with replays and late messages, and the order gate at the script level.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { storagePolicy, type DeviceKind } from '@tianwang/core/schemas';
import { rng, startRedis, type RedisServer } from '@tianwang/core/testing';
import { DeviceCache } from '../src/device-cache.js';
import { parseShadowReply } from '../src/shadow-script.js';
import { ShadowWriter, defineShadowCommand } from '../src/shadow-writer.js';
import { decide, newState, type Decision } from '../src/store-decide.js';
import { compilePolicy, type CompiledPolicy } from '../src/store-policy.js';
import type { Validated } from '../src/validator.js';
import { devices, freshPrefix, lookupOf } from './helpers.js';
import { randomSeries } from './random-series.js';

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

const valuesOf = (v: Ok) => (v.body as { value: Record<string, unknown> }).value;

let entrySeq = 0;
/** Sends one script call for `batch` as the stream entries after the previous call's (so the gate lets it through). */
async function decideInRedis(writer: ShadowWriter, batch: Ok[]): Promise<Map<Ok, Decision>> {
  const pipe = redis.pipeline();
  const first = `${++entrySeq}-0`;
  const call = writer.queue(pipe, batch, { first, last: first })!;
  call.send(pipe);
  const results = (await pipe.exec())!;
  const [err, raw] = results[results.length - 1]!;
  if (err) throw err;
  const reply = parseShadowReply(raw);
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
    c.encode(valuesOf(v), values, 0);
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
    // half the devices calm: most readings repeat the previous one (the script's shortcut for unchanged values)
    const streams = fleet.map((d, i) => ({ id: d.id, series: randomSeries(d.kind as DeviceKind, 300, 100 + i, t0, 1000, i % 2 ? 0.8 : 0) }));
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
        batch.push(r() < 0.5 ? old : message(old.device.id, { ...valuesOf(old), load: 77, door: 'open', pressure: 1.5 }, (old.ts as number) + 300));
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

  it('an entry delivered again gets its recorded decisions back, whatever was decided since, and leaves the state alone', async () => {
    const policy = compilePolicy(storagePolicy({ heartbeatS: 600 }));
    const keys = pipelineKeys(freshPrefix());
    const writer = new ShadowWriter(keys, 1000, policy);
    const t0 = 1_700_000_000_000;
    const e = (ts: number, load: number, door = 'closed') => message('E00000', { ts, floor: 1, direction: 'stop', speed: 0, door, doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: 1, runHours: 1, load });
    const send = async (batch: Ok[], entry: string) => {
      const pipe = redis.pipeline();
      const call = writer.queue(pipe, batch, { first: entry, last: entry }, { ids: batch.map(() => entry), indexes: batch.map((_, i) => i) })!;
      call.send(pipe);
      const results = (await pipe.exec())!;
      const reply = parseShadowReply(results[results.length - 1]![1]);
      if (reply.wait) throw new Error('held back');
      return reply;
    };
    const first = [e(t0, 10), e(t0 + 1000, 30, 'open'), e(t0 + 2000, 32, 'open')];
    const decided = await send(first, '1-0');
    // first: every field (there is no seq); then the door (bit 3) and the load (bit 10, 10 → 30 is beyond 5); 30 → 32 is not
    expect(decided.masks).toBe('07ff' + '0408' + '0000');
    expect(await redis.hget(keys.ingestDecisions, '1-0')).toBe('0:07ff;1:0408');
    // newer messages move the state on: the door closes, the load drops
    await send([e(t0 + 3000, 5), e(t0 + 4000, 5)], '2-0');
    const stateOf = () => redis.hmgetBuffer(keys.shadow('E00000'), 'stored', 'storedAt');
    const state = await stateOf();
    // the first entry delivered again (its worker died before writing): the same decisions, no restore, no new state
    const again = await send(first, '1-0');
    expect(again.masks).toBe(decided.masks);
    expect(again.restores).toBe('');
    expect(await stateOf()).toEqual(state);
    // without its record it would be a late message: decided against the newest stored values
    await redis.hdel(keys.ingestDecisions, '1-0');
    expect((await send(first, '1-0')).masks).not.toBe(decided.masks);
  });

  it('the order gate holds a batch back until the batch before it is decided, or until it is told to go', async () => {
    const policy = compilePolicy(storagePolicy());
    const keys = pipelineKeys(freshPrefix());
    const writer = new ShadowWriter(keys, 1000, policy);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push((await redis.xadd(keys.uplink, '*', 'v', '2', 'n', '0', 'b', ''))!);
    const send = async (first: number, last: number, gate: { prev?: string; force?: boolean } = {}) => {
      const pipe = redis.pipeline();
      writer.queue(pipe, [], { first: ids[first]!, last: ids[last]! })!.send(pipe, gate);
      const results = (await pipe.exec())!;
      return parseShadowReply(results[results.length - 1]![1]);
    };
    expect(await send(0, 0)).toMatchObject({ wait: false });
    expect(await redis.get(keys.ingestDecided)).toBe(ids[0]);
    // entries 3–4 before 1–2: wait for entry 2
    expect(await send(3, 4)).toEqual({ wait: true, prev: ids[2] });
    expect(await redis.get(keys.ingestDecided)).toBe(ids[0]);
    expect(await send(1, 2)).toMatchObject({ wait: false });
    expect(await send(3, 4, { prev: ids[2] })).toMatchObject({ wait: false });
    expect(await redis.get(keys.ingestDecided)).toBe(ids[4]);
    // an old batch (reclaimed) goes at once and does not move the marker back
    expect(await send(1, 2)).toMatchObject({ wait: false });
    expect(await redis.get(keys.ingestDecided)).toBe(ids[4]);
    // entry 5 never decided (its worker died): 6–7 wait, then go when told to
    expect(await send(6, 7)).toEqual({ wait: true, prev: ids[5] });
    expect(await send(6, 7, { prev: ids[5], force: true })).toMatchObject({ wait: false });
    expect(await redis.get(keys.ingestDecided)).toBe(ids[7]);
  });
});
