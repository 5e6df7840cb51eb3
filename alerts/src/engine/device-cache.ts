import type { DeviceContext, Registry } from '@tianwang/core/registry';
import { isTianwangError } from '@tianwang/core/errors';

interface Entry {
  at: number;
  ctx: DeviceContext | undefined;
  /** a load in flight (first sight, or a background refresh) */
  loading?: Promise<DeviceContext | undefined>;
}

/**
 * Device context (unit, district, rated values, interval) for the hot path: thousands of readings per second
 * must not each query the registry. A stale entry is served at once and refreshed in the background (one load
 * per device at a time), so the fleet's periodic refresh never stalls a batch; only a device seen for the first
 * time waits for its row. Unknown devices are remembered too (ingest parks their messages, we skip them).
 */
export class DeviceCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly registry: Registry, private readonly ttlMs = 60_000) {}

  private load(id: string, e: Entry | undefined): Promise<DeviceContext | undefined> {
    const loading = this.registry.devices.context(id).then(
      (ctx) => {
        this.entries.set(id, { at: Date.now(), ctx });
        return ctx;
      },
      (err: unknown) => {
        if (isTianwangError(err) && err.code === 'TW_NOT_FOUND') {
          this.entries.set(id, { at: Date.now(), ctx: undefined });
          return undefined;
        }
        // keep serving what we had; the next request tries again
        if (e) this.entries.set(id, { at: e.at, ctx: e.ctx });
        else this.entries.delete(id);
        throw err;
      },
    );
    this.entries.set(id, { at: e?.at ?? 0, ctx: e?.ctx, loading });
    return loading;
  }

  async get(id: string, now = Date.now()): Promise<DeviceContext | undefined> {
    const e = this.entries.get(id);
    if (!e) return this.load(id, undefined);
    if (e.at === 0 && e.loading) return e.loading;
    if (now - e.at >= this.ttlMs && !e.loading) this.load(id, e).catch(() => undefined);
    return e.ctx;
  }

  invalidate(id?: string): void {
    if (id) this.entries.delete(id);
    else this.entries.clear();
  }
}
