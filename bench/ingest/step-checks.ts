/**
 * What the ingest benchmark measures around each step (run.ts): the publish-to-readable probe, whether ingest has
 * acknowledged the step, the telemetry values readable, ingest's metrics and Redis' command statistics.
 */
import type { ChildProcess } from 'node:child_process';
import type { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { influxFirstRow } from './influx-query.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Telemetry values stored for the fleet (every field, the probe excluded) with device times in [from, to]. */
export async function storedValues(url: string, db: string, probeId: string, from: number, to: number): Promise<number> {
  const row = await influxFirstRow(url, db, `SELECT count(*) FROM "elevator" WHERE "device" != '${probeId}' AND time >= ${from}ms AND time <= ${to}ms`);
  return (row ?? []).slice(1).reduce<number>((a, v) => a + (v ?? 0), 0);
}

/** Whether the ingest group has acknowledged every entry up to `endId` (all written, or decided not worth storing). */
export async function acknowledgedUpTo(redis: Redis, stream: string, endId: string): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  const g = groups.find((row) => row[row.indexOf('name') + 1] === 'ingest') ?? [];
  const delivered = String(g[g.indexOf('last-delivered-id') + 1] ?? '0-0');
  const after = (a: string, b: string) => {
    const [am, as] = a.split('-').map(Number) as [number, number];
    const [bm, bs] = b.split('-').map(Number) as [number, number];
    return am > bm || (am === bm && as > bs);
  };
  if (after(endId, delivered)) return false;
  const pending = (await redis.xpending(stream, 'ingest')) as [number, string | null];
  return pending[0] === 0 || (pending[1] !== null && after(pending[1], endId));
}

/** Publishes a marker every 100 ms from the probe device and polls InfluxDB for it every 50 ms. */
export async function startProbe(port: number, influxUrl: string, db: string, probeId: string, secret: string) {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: probeId, username: probeId, password: secret, reconnectPeriod: 0 });
  const published = new Map<number, number>();
  const latencies: number[] = [];
  let seq = 0, seen = -1, stopped = false;
  const pub = setInterval(() => {
    const s = seq++;
    const ts = Date.now();
    published.set(s, ts);
    void client.publishAsync(`tw/v1/elevator/${probeId}/telemetry`, JSON.stringify({ ts, seq: s, floor: 1, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: s, runHours: 1, load: 0 }), { qos: 1 });
  }, 100);
  const poll = (async () => {
    while (!stopped) {
      const row = await influxFirstRow(influxUrl, db, `SELECT last("seq") FROM "elevator" WHERE "device" = '${probeId}'`).catch(() => undefined);
      const last = row?.[1] ?? -1;
      const now = Date.now();
      for (let s = seen + 1; s <= last; s++) {
        const at = published.get(s);
        if (at !== undefined) latencies.push(now - at);
        published.delete(s);
      }
      seen = Math.max(seen, last);
      await sleep(50);
    }
  })();
  return {
    take() {
      return latencies.splice(0);
    },
    async stop() {
      stopped = true;
      clearInterval(pub);
      await poll;
      await client.endAsync();
    },
  };
}

/** Asks the ingest process for its /metrics text (over stdin/stdout). */
export function ingestMetricsText(ingest: ChildProcess): Promise<string> {
  return new Promise<string>((resolve) => {
    let out = '';
    const timer = setTimeout(() => done(''), 5000);
    const done = (m: string) => {
      clearTimeout(timer);
      ingest.stdout!.off('data', onData);
      resolve(m);
    };
    const onData = (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"metrics"'));
      if (line) done((JSON.parse(line) as { metrics: string }).metrics);
    };
    ingest.stdout!.on('data', onData);
    ingest.stdin!.write('metrics\n');
  });
}
export const metricIn = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

/** INFO commandstats → { command: { calls, usPerMsg } }, the commands that cost Redis ≥ 0.1 µs per message */
export function commandStats(info: string, messages: number): Record<string, { calls: number; usPerCall: number; usPerMsg: number }> {
  const out: Record<string, { calls: number; usPerCall: number; usPerMsg: number }> = {};
  for (const m of info.matchAll(/^cmdstat_(\S+?):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/gm)) {
    const usPerMsg = Number(m[3]) / Math.max(1, messages);
    if (usPerMsg >= 0.1) out[m[1]!] = { calls: Number(m[2]), usPerCall: Number(m[4]), usPerMsg: Number(usPerMsg.toFixed(2)) };
  }
  return out;
}

