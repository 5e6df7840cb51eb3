import type { DeviceContext, Registry } from '@tianwang/core/registry';
import { isTianwangError } from '@tianwang/core/errors';

/**
 * Device context (unit, district, rated values, interval) for the hot path: thousands of readings per second
 * must not each query the registry. Entries live `ttlMs`, so a tuned rated value or a new interval applies
 * within a minute; unknown devices are remembered too (ingest parks their messages, we just skip them).
 */
export class DeviceCache {
  private readonly entries = new Map<string, { at: number; ctx: DeviceContext | undefined; pending?: Promise<DeviceContext | undefined> }>();

  constructor(private readonly registry: Registry, private readonly ttlMs = 60_000) {}

  async get(id: string, now = Date.now()): Promise<DeviceContext | undefined> {
    const e = this.entries.get(id);
    if (e && now - e.at < this.ttlMs) return e.pending ?? e.ctx;
    const pending = this.registry.devices.context(id).then(
      (ctx) => ctx,
      (err: unknown) => {
        if (isTianwangError(err) && err.code === 'TW_NOT_FOUND') return undefined;
        this.entries.delete(id);
        throw err;
      },
    );
    this.entries.set(id, { at: now, ctx: e?.ctx, pending });
    const ctx = await pending;
    this.entries.set(id, { at: now, ctx });
    return ctx;
  }

  invalidate(id?: string): void {
    if (id) this.entries.delete(id);
    else this.entries.clear();
  }
}
