/** Small measuring helpers for the ingest benchmark: CPU per process, machine load, the raw InfluxDB ceiling, per-message cost. */
import { readFileSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { decodeUplinkEntries, encodeUplinkBatches, uplinkBatchFields } from '@tianwang/core/pipeline';
import type { DeviceAuth } from '@tianwang/core/registry';
import { telemetryTopic } from '@tianwang/core/topics';
import { DeviceCache, deviceTagSet, lineOf, telemetryLine, validateEntry } from '@tianwang/ingest';

const TICK = 100; // Linux USER_HZ

/** User and system CPU seconds a process has used so far (zeros once it is gone). */
export function cpuTimes(pid: number): { user: number; sys: number } {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { user: Number(f[11]) / TICK, sys: Number(f[12]) / TICK };
  } catch {
    return { user: 0, sys: 0 };
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.sys;
}

/** Busy and total jiffies of the whole machine (all cores), to report how loaded it was by everyone. */
export function machineJiffies(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return { busy: total - idle, total };
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'text/plain' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Line-protocol batches of our real telemetry lines, straight to influxd /write, `concurrency` at a time. */
export async function influxCeiling(influxUrl: string, db: string, seconds: number, batch = 5000, concurrency = 2): Promise<{ points: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${influxUrl}/write?db=${db}&precision=ms`);
  const devices = 2000;
  const tags = Array.from({ length: devices }, (_, i) => deviceTagSet({ id: `EB-${String(i).padStart(6, '0')}`, kind: 'elevator', unitId: `U${i % 50}`, districtId: `D${i % 5}` }));
  const t0 = Date.now() - 3_600_000;
  let n = 0;
  const values = { seq: 1, floor: 3, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456, runHours: 7890.5, load: 42 };
  const makeBatch = () => {
    const lines = new Array<string>(batch);
    for (let i = 0; i < batch; i++, n++) lines[i] = telemetryLine('elevator', tags[n % devices]!, { ...values, seq: n }, t0 + Math.floor(n / devices), false);
    return lines.join('\n');
  };
  // two bodies ready ahead per sender: serializing one (a few ms) overlaps InfluxDB's work on the other
  let written = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let body = makeBatch();
      while (performance.now() < deadline) {
        const sending = post(agent, url, body);
        body = makeBatch();
        const status = await sending;
        if (status !== 204) throw new Error(`influxd /write answered ${status}`);
        written += batch;
      }
    }),
  );
  agent.destroy();
  return { points: written, seconds: (performance.now() - start) / 1000 };
}

/** Microseconds per message for decode + JSON.parse + zod + our line-protocol serializer (what ingest does per message). */
export async function perMessageCost(iterations = 100_000): Promise<number> {
  const list: DeviceAuth[] = Array.from({ length: 1000 }, (_, i) => ({ id: `EB-${String(i).padStart(6, '0')}`, kind: 'elevator', enabled: true, credentialHash: null, unitId: 'U1', districtId: 'D1' }));
  const cache = new DeviceCache({ getAuth: async () => undefined, listAuth: async () => list }, 3_600_000);
  await cache.warm();
  const now = Date.now();
  // batch entries of 64 (Buffers, as read from the stream): the cost includes decoding them
  const messages = Array.from({ length: 1024 }, (_, j) => {
    const i = j % 1000;
    return {
      topic: telemetryTopic('elevator', list[i]!.id),
      payload: JSON.stringify({ ts: now, seq: i, floor: 3, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456 + i, runHours: 7890.5, load: 42 }),
      receivedAt: now,
      clientId: list[i]!.id,
      kind: 'm' as const,
    };
  });
  const entries = encodeUplinkBatches(messages, 64).map((b) => uplinkBatchFields(b).map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
  const limits = { futureMs: 300_000, pastMs: 86_400_000 };
  let sink = 0;
  const run = (n: number) => {
    for (let i = 0; i < n; i += 64) {
      for (const e of decodeUplinkEntries(entries[(i / 64) % entries.length]!)) {
        const v = validateEntry(e!, cache, limits);
        if (v.ok) sink += lineOf(v).length;
      }
    }
  };
  run(20_000);
  const t = performance.now();
  run(iterations);
  const us = ((performance.now() - t) * 1000) / iterations;
  return sink > 0 ? us : NaN;
}
