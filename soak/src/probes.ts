import { Redis } from 'ioredis';
import pg from 'pg';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';

/**
 * Read-only looks into the platform's state, used to tell when a fault has recovered and for the final checks:
 * the uplink stream's backlog per consumer group, the notification rows, InfluxDB's point counts.
 */
export interface Backlog {
  /** how far the group's last delivered entry is behind the newest one, by their ids' times (ms) */
  lagMs: number;
  /** entries delivered to a worker and not yet acknowledged */
  pending: number;
}

export interface Backlogs {
  ingest: Backlog;
  alerts: Backlog;
}

export interface Probes {
  backlog(): Promise<Backlogs>;
  deadLetters(): Promise<number>;
  /** entries held by ingest consumers that have not read for idleMs (a dead worker's, until another claims them) */
  orphanedPending(idleMs: number): Promise<number>;
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  influxCount(measurements: string[]): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export function probes(o: { redisUrl: string; prefix: string; databaseUrl: string; influxUrl: string; influxDb: string }): Probes {
  // a short retry budget: a probe during a Redis restart fails and is asked again by its caller
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', () => {});
  const keys = pipelineKeys(o.prefix);
  return {
    async backlog() {
      // Not XINFO's "lag": Redis keeps it as entries-added minus entries-read, and after a restart from the AOF it
      // was off by thousands (17,730 for a stream of 384 entries, in a 20-minute run). Ids carry their time.
      const stream = (await redis.call('XINFO', 'STREAM', keys.uplink)) as unknown[];
      const last = String(stream[stream.indexOf('last-generated-id') + 1]);
      const ms = (id: string) => Number(id.split('-')[0]);
      const groups = (await redis.call('XINFO', 'GROUPS', keys.uplink)) as unknown[][];
      const out: Backlogs = { ingest: { lagMs: Infinity, pending: Infinity }, alerts: { lagMs: Infinity, pending: Infinity } };
      for (const g of groups) {
        const f = new Map<string, unknown>();
        for (let i = 0; i < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
        const delivered = String(f.get('last-delivered-id'));
        const b: Backlog = { lagMs: delivered === last ? 0 : Math.max(1, ms(last) - ms(delivered)), pending: Number(f.get('pending')) };
        if (f.get('name') === CONSUMER_GROUPS.ingest) out.ingest = b;
        if (f.get('name') === CONSUMER_GROUPS.alerts) out.alerts = b;
      }
      return out;
    },
    deadLetters: async () => Number(await redis.xlen(keys.deadLetter)),
    async orphanedPending(idleMs) {
      const consumers = (await redis.call('XINFO', 'CONSUMERS', keys.uplink, CONSUMER_GROUPS.ingest)) as unknown[][];
      let n = 0;
      for (const c of consumers) {
        const f = new Map<string, unknown>();
        for (let i = 0; i < c.length; i += 2) f.set(String(c[i]), c[i + 1]);
        if (Number(f.get('idle')) > idleMs) n += Number(f.get('pending'));
      }
      return n;
    },
    async query(sql, params) {
      const client = new pg.Client({ connectionString: o.databaseUrl, connectionTimeoutMillis: 5000 });
      client.on('error', () => {});
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end().catch(() => {});
      }
    },
    async influxCount(measurements) {
      const out: Record<string, number> = {};
      for (const m of measurements) {
        // seq is in every telemetry and event point, once per message
        const q = new URLSearchParams({ db: o.influxDb, q: `SELECT count(seq) FROM "${m}"` });
        const res = await fetch(`${o.influxUrl}/query?${q}`, { signal: AbortSignal.timeout(60_000) });
        if (!res.ok) throw new Error(`influx count ${m}: ${res.status} ${await res.text()}`);
        const body = (await res.json()) as { results: { series?: { values: [string, number][] }[] }[] };
        out[m] = body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
      }
      return out;
    },
    async close() {
      redis.disconnect();
    },
  };
}
