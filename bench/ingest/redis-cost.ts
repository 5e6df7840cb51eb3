/**
 * Redis' own CPU per uplink message, command by command (a diagnostic for the ingest benchmark, which only
 * sees Redis' total): a Redis 7 with AOF as in the benchmark; N messages appended the way the broker does
 * (one script call per batch of 2,000 messages, batch entries of 64 messages: core's uplink-entry.ts format 2),
 * read by XREADGROUP (binary replies, as ingest reads), acknowledged by XACK; for comparison the same with the
 * old one-message entries (format 1, the broker's former per-entry script).
 * Reads the server's CPU time from /proc. `node … bench/ingest/redis-cost.ts [N]`
 */
import { Redis } from 'ioredis';
import { encodeUplinkBatches, encodeUplinkEntry, pipelineKeys } from '@tianwang/core/pipeline';
import { UPLINK_APPEND_SCRIPT, uplinkAppendArgs } from '@tianwang/broker';
import { ShadowWriter, compilePolicy, defineShadowCommand, deviceTagSet } from '@tianwang/ingest';
import { storagePolicy } from '@tianwang/core/schemas';
import { startRedis } from '@tianwang/core/testing';
import { fleetTraces } from './fleet-traces.js';
import { cpuSeconds } from './measure.js';

const N = Number(process.argv[2] ?? 200_000);
/** `noaof` as the second argument: Redis without AOF, to see what the append-only file costs */
const aof = process.argv[3] !== 'noaof';
const server = await startRedis({ appendonly: aof });
const redis = new Redis(server.url);
const pid = server.child.pid!;

// The broker's former append script (one message per entry), kept for comparison.
const APPEND = `
local data = ARGV[1]
local f1, f2, f3, f4, f5 = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = KEYS[1]
local pos, n = 1, #data
while pos <= n do
  local a, b, c, d, e
  a, b, c, d, e, pos = struct.unpack('>I4c0I4c0I4c0I4c0I4c0', data, pos)
  redis.call('XADD', key, '*', f1, a, f2, b, f3, c, f4, d, f5, e)
end
return redis.call('XLEN', key)`;

const payload = (i: number) => JSON.stringify({ ts: Date.now(), seq: i, floor: 3, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456 + i, runHours: 7890.5, load: 42 });
const entry = (i: number) => {
  const d = `EB-${String(i % 1000).padStart(6, '0')}`;
  return encodeUplinkEntry({ topic: `tw/v1/elevator/${d}/telemetry`, payload: payload(i), receivedAt: Date.now(), clientId: d, kind: 'm' });
};
const packed = (fields: string[]) => {
  const bufs: Buffer[] = [];
  for (let i = 1; i < fields.length; i += 2) {
    const b = Buffer.from(fields[i]!);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    bufs.push(len, b);
  }
  return Buffer.concat(bufs);
};
const names = entry(0).filter((_, i) => i % 2 === 0);

async function measure(label: string, messages: number, fn: () => Promise<void>): Promise<void> {
  await redis.config('RESETSTAT');
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await fn();
  const secs = (performance.now() - t0) / 1000;
  const us = ((cpuSeconds(pid) - c0) * 1e6) / messages;
  const stats = (await redis.info('commandstats')).split('\n').filter((l) => l.startsWith('cmdstat_') && !/cmdstat_(config|info)/.test(l)).map((l) => l.trim().replace(/,rejected_calls.*/, ''));
  process.stdout.write(`${JSON.stringify({ step: label, redisCpuUsPerMessage: Number(us.toFixed(2)), seconds: Number(secs.toFixed(2)), commands: stats })}\n`);
}

async function appendAll(key: string, perEntry: number, batch = 500): Promise<void> {
  if (perEntry === 1) {
    for (let i = 0; i < N; i += batch) {
      const bufs: Buffer[] = [];
      for (let j = i; j < Math.min(N, i + batch); j++) bufs.push(packed(entry(j)));
      await redis.eval(APPEND, 1, key, Buffer.concat(bufs), ...names);
    }
    return;
  }
  // as the broker: 2,000 messages per script call, split into entries of perEntry
  for (let i = 0; i < N; i += 2000) {
    const msgs = Array.from({ length: Math.min(2000, N - i) }, (_, k) => {
      const d = `EB-${String((i + k) % 1000).padStart(6, '0')}`;
      return { topic: `tw/v1/elevator/${d}/telemetry`, payload: payload(i + k), receivedAt: Date.now(), clientId: d, kind: 'm' as const };
    });
    const args = uplinkAppendArgs(encodeUplinkBatches(msgs, perEntry));
    // the broker's own append script (one XADD per batch entry): this measures what the broker runs
    await redis.eval(UPLINK_APPEND_SCRIPT, 1, key, ...args);
  }
}

async function readAll(key: string, count: number, ackBatch: boolean): Promise<void> {
  await redis.xgroup('CREATE', key, 'ingest', '0', 'MKSTREAM');
  for (;;) {
    const res = (await redis.callBuffer('XREADGROUP', 'GROUP', 'ingest', 'w1', 'COUNT', count, 'STREAMS', key, '>')) as [Buffer, [Buffer, Buffer[]][]][] | null;
    const entries = res?.[0]?.[1] ?? [];
    if (!entries.length) break;
    if (ackBatch) await redis.xack(key, 'ingest', ...entries.map(([id]) => id));
  }
}

/** `ONLY=shadow`: just the shadow script step */
const streams = process.env.ONLY !== 'shadow';
for (const perEntry of streams ? [1, 64] : []) {
  const key = `cost:${perEntry}`;
  const entries = Math.ceil(N / perEntry);
  await measure(`append (broker script), ${perEntry} msg/entry`, N, () => appendAll(key, perEntry));
  // ingest reads 2,000 messages per call: 2,000 entries, or 2000/64 of the batch entries
  await measure(`XREADGROUP ${Math.ceil(2000 / perEntry)} entries + XACK per read, ${perEntry} msg/entry (${entries} entries)`, N, () => readAll(key, Math.ceil(2000 / perEntry), true));
}
if (streams) await measure('plain XADD pipelined (no script), 1 msg/entry', N, async () => {
  for (let i = 0; i < N; i += 500) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(N, i + 500); j++) p.xadd('cost:plain', '*', ...entry(j));
    await p.exec();
  }
});
if (streams) await measure('XREADGROUP COUNT 500, no XACK, 1 msg/entry', N, () => readAll('cost:plain', 500, false));
// Ingest's shadow script: telemetry of 20,000 devices (no two updates of one device in a batch, as in a real
// fleet where a device sends every few seconds), 1,000 updates per call as ingest sends them.
defineShadowCommand(redis);
const fleet = Array.from({ length: 20_000 }, (_, i) => {
  const d = { id: `EB-${String(i).padStart(6, '0')}`, kind: 'elevator' as const, enabled: true, unitId: `U${i % 50}`, districtId: `D${i % 5}` };
  return { ...d, tagSet: deviceTagSet(d) ?? '' };
});
// `STORE=all`: the script without storage decisions (as before store by exception); default both
for (const store of process.env.STORE ? [process.env.STORE] : ['all', 'exception']) {
  const keys = pipelineKeys(`cost${store}`);
  const shadow = new ShadowWriter(keys, 10_000, store === 'exception' ? compilePolicy(storagePolicy()) : undefined);
  let entry = 0;
  // PAYLOAD=fleet: firmware-sim elevator readings, one a second per device (fleet-traces.ts); default: the same reading
  // with a new seq and run counter each time (every message stores something)
  const t0 = Date.now() - 3_600_000;
  const traces = process.env.PAYLOAD === 'fleet' ? fleetTraces('fleet', fleet.length, t0) : undefined;
  const text = (i: number) => (traces ? traces.payload(i % fleet.length, t0 + Math.floor(i / fleet.length) * 1000, i) : payload(i));
  await measure(`shadow script (hash + PUBLISH + change stream${store === 'exception' ? ' + storage decisions' : ''}), 1,000 updates per batch${traces ? ', fleet readings' : ''}`, N, async () => {
    for (let i = 0; i < N; i += 1000) {
      const pipe = redis.pipeline();
      const now = Date.now();
      const batch = Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({
        ok: true as const, device: fleet[(i + j) % fleet.length]!, ts: traces ? t0 + Math.floor((i + j) / fleet.length) * 1000 : now, sub: 0, clockSkew: false, deviceTs: 0, receivedAt: now,
        body: { channel: 'telemetry' as const, value: JSON.parse(text(i + j)) as Record<string, unknown> },
      }));
      // one stream entry per 64 messages, as the broker writes them
      const ids = batch.map((_, j) => `${entry + 1 + Math.floor(j / 64)}-0`);
      const range = { first: ids[0]!, last: ids[ids.length - 1]! };
      entry += Math.ceil(batch.length / 64);
      shadow.queue(pipe, batch, range, process.env.NOREC ? undefined : { ids, indexes: batch.map((_, j) => j % 64) })?.send(pipe);
      await pipe.exec();
    }
  });
}
redis.disconnect();
await server.stop();
process.exit(0);
