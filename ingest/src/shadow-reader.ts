/**
 * The dashboard's view of device shadows: one device, many devices, and the live change feed.
 * See shadow-writer.ts for the hash layout and the feed format.
 */
import { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { DeviceKind } from '@tianwang/core/schemas';
import type { ShadowChange } from './shadow-writer.js';

export type { ShadowChange } from './shadow-writer.js';

export interface ShadowEvent {
  state: 'raised' | 'cleared';
  ts: number;
  detail?: Record<string, unknown>;
}

export interface DeviceShadow {
  id: string;
  kind?: DeviceKind;
  unitId?: string;
  districtId?: string;
  /** undefined until a status message or broker presence was seen */
  online?: boolean;
  offlineReason?: string;
  /** latest receive time of anything from the device, ms */
  lastSeen?: number;
  telemetry?: Record<string, unknown>;
  telemetryTs?: number;
  clockSkew?: boolean;
  /** latest event per code */
  events: Record<string, ShadowEvent>;
  firmware?: string;
  interval?: number;
}

function parseJson<T>(s: string | undefined): T | undefined {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s) as T;
  } catch {
    return undefined;
  }
}

export function shadowFromHash(id: string, h: Record<string, string>): DeviceShadow | undefined {
  if (!Object.keys(h).length) return undefined;
  const s: DeviceShadow = { id, events: {} };
  if (h.kind) s.kind = h.kind as DeviceKind;
  if (h.unit) s.unitId = h.unit;
  if (h.district) s.districtId = h.district;
  if (h.online !== undefined) s.online = h.online === '1';
  if (h.offlineReason) s.offlineReason = h.offlineReason;
  if (h.lastSeen) s.lastSeen = Number(h.lastSeen);
  const telemetry = parseJson<Record<string, unknown>>(h.telemetry);
  if (telemetry) s.telemetry = telemetry;
  if (h.telemetryTs) s.telemetryTs = Number(h.telemetryTs);
  if (h.clockSkew !== undefined) s.clockSkew = h.clockSkew === '1';
  if (h.firmware) s.firmware = h.firmware;
  if (h.interval) s.interval = Number(h.interval);
  for (const [k, v] of Object.entries(h)) {
    if (!k.startsWith('event:') || k.endsWith(':ts')) continue;
    const e = parseJson<ShadowEvent>(v);
    if (e) s.events[k.slice(6)] = e;
  }
  return s;
}

export interface ShadowListFilter {
  districtId?: string;
  unitId?: string;
  kind?: DeviceKind;
  online?: boolean;
}

export interface ChangeOptions {
  /** attach each telemetry change's values (`changes.telemetry`), read from the shadow */
  telemetry?: boolean;
}

export interface ShadowReader {
  get(id: string): Promise<DeviceShadow | undefined>;
  /** the given ids, or every device in the index; filtered */
  list(ids?: string[], filter?: ShadowListFilter): Promise<DeviceShadow[]>;
  /**
   * Live changes (pub/sub: at most once, nothing while disconnected), in the order ingest applied them.
   * Returns the unsubscribe function. A consumer that must not miss any reads changesSince() after
   * (re)subscribing. A telemetry change carries telemetryTs and clockSkew; with `telemetry: true` it also
   * carries `telemetry`, the device's values read from its shadow (one pipelined read per published batch;
   * the shadow's newest, which may already be newer than the change).
   */
  subscribe(onChange: (c: ShadowChange) => void, opts?: ChangeOptions): Promise<() => Promise<void>>;
  /** changes after a stream id from the bounded change stream; pass the last id returned to page on */
  changesSince(afterId?: string, count?: number, opts?: ChangeOptions): Promise<{ lastId: string; changes: ShadowChange[] }>;
  close(): Promise<void>;
}

/** A reader over its own connection (the subscriber takes a second one when subscribe() is first called). */
export function createShadowReader(redisUrl: string, keys: PipelineKeys): ShadowReader {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 });
  redis.on('error', () => {});
  const subscribers = new Set<Redis>();

  /** Attaches `changes.telemetry` to every telemetry change, one HGET per distinct device in one pipeline. */
  async function withTelemetry(changes: ShadowChange[]): Promise<ShadowChange[]> {
    const ids = [...new Set(changes.filter((c) => c.changes.telemetryTs !== undefined).map((c) => c.id))];
    if (!ids.length) return changes;
    const pipe = redis.pipeline();
    for (const id of ids) pipe.hget(keys.shadow(id), 'telemetry');
    const results = (await pipe.exec()) ?? [];
    const values = new Map<string, Record<string, unknown> | undefined>();
    ids.forEach((id, i) => {
      const [err, v] = results[i] ?? [];
      if (err) throw err;
      values.set(id, parseJson<Record<string, unknown>>((v as string | null) ?? undefined));
    });
    for (const c of changes) {
      const t = c.changes.telemetryTs !== undefined ? values.get(c.id) : undefined;
      if (t) c.changes.telemetry = t;
    }
    return changes;
  }

  return {
    async get(id) {
      return shadowFromHash(id, await redis.hgetall(keys.shadow(id)));
    },
    async list(ids, filter = {}) {
      const all = ids ?? (await redis.smembers(keys.shadowIndex)).sort();
      const out: DeviceShadow[] = [];
      for (let i = 0; i < all.length; i += 500) {
        const chunk = all.slice(i, i + 500);
        const pipe = redis.pipeline();
        for (const id of chunk) pipe.hgetall(keys.shadow(id));
        const results = (await pipe.exec()) ?? [];
        chunk.forEach((id, j) => {
          const [err, h] = results[j] ?? [];
          if (err) throw err;
          const s = shadowFromHash(id, h as Record<string, string>);
          if (!s) return;
          if (filter.districtId !== undefined && s.districtId !== filter.districtId) return;
          if (filter.unitId !== undefined && s.unitId !== filter.unitId) return;
          if (filter.kind !== undefined && s.kind !== filter.kind) return;
          if (filter.online !== undefined && (s.online ?? false) !== filter.online) return;
          out.push(s);
        });
      }
      return out;
    },
    async subscribe(onChange, opts = {}) {
      const sub = redis.duplicate();
      sub.on('error', () => {});
      subscribers.add(sub);
      // Batches are delivered one after another, so a batch whose telemetry read is slow holds back the next.
      let delivered: Promise<void> = Promise.resolve();
      // One message per ingest script call holds a JSON array of changes (an older ingest published one object each).
      sub.on('message', (_channel: string, message: string) => {
        const c = parseJson<ShadowChange | ShadowChange[]>(message);
        const batch = Array.isArray(c) ? c : c ? [c] : [];
        if (!batch.length) return;
        if (!opts.telemetry) {
          for (const one of batch) onChange(one);
          return;
        }
        // a failed read (Redis down) still delivers the changes, without values
        const ready = withTelemetry(batch).catch(() => batch);
        delivered = delivered
          .then(async () => {
            for (const one of await ready) onChange(one);
          })
          // a throwing onChange is the caller's uncaught error, as on the path without values; the chain goes on
          .catch((err: unknown) => process.nextTick(() => { throw err; }));
      });
      await sub.subscribe(keys.shadowFeed);
      return async () => {
        subscribers.delete(sub);
        await sub.quit().catch(() => sub.disconnect());
      };
    },
    async changesSince(afterId = '0-0', count = 1000, opts = {}) {
      const entries = (await redis.xrange(keys.shadowChanges, `(${afterId}`, '+', 'COUNT', count)) as [string, string[]][];
      const changes: ShadowChange[] = [];
      for (const [, fields] of entries) {
        const at = fields.indexOf('c');
        // one entry per ingest batch: an array of changes
        const list = at >= 0 ? parseJson<ShadowChange[]>(fields[at + 1]) : undefined;
        if (Array.isArray(list)) changes.push(...list);
      }
      return { lastId: entries.length ? entries[entries.length - 1]![0] : afterId, changes: opts.telemetry ? await withTelemetry(changes) : changes };
    },
    async close() {
      for (const s of subscribers) await s.quit().catch(() => s.disconnect());
      subscribers.clear();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
