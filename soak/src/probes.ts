import { Redis } from 'ioredis';
import pg from 'pg';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';

/**
 * Read-only looks into the platform's state, used to tell when a fault has recovered and for the final checks:
 * the uplink stream's backlog per consumer group, the notification rows, InfluxDB's point counts.
 */
export interface Backlog {
  /** entries not yet delivered to the group, plus entries delivered and not acknowledged */
  ingest: number;
  alerts: number;
}

export interface Probes {
  backlog(): Promise<Backlog>;
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
      const groups = (await redis.call('XINFO', 'GROUPS', keys.uplink)) as unknown[][];
      const out: Backlog = { ingest: 0, alerts: 0 };
      for (const g of groups) {
        const f = new Map<string, unknown>();
        for (let i = 0; i < g.length; i += 2) f.set(String(g[i]), g[i + 1]);
        const name = String(f.get('name'));
        // lag is null when Redis cannot tell (after a trim past the group's position): count it as not drained
        const lag = f.get('lag') === null ? Number.POSITIVE_INFINITY : Number(f.get('lag'));
        const n = lag + Number(f.get('pending'));
        if (name === CONSUMER_GROUPS.ingest) out.ingest = n;
        if (name === CONSUMER_GROUPS.alerts) out.alerts = n;
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
