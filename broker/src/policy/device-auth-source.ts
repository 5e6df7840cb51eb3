import type { DeviceAuth } from '@tianwang/core/registry';

/**
 * Where device credentials come from. `registry.devices` satisfies it; tests and the benchmark may pass
 * `memoryDeviceSource()`. The broker caches answers (see DeviceCredentialCache), so the source is asked at
 * most once per device per TTL, plus one bulk `listAuth()` per TTL to notice revocations.
 */
export interface DeviceAuthSource {
  getAuth(id: string): Promise<DeviceAuth | undefined>;
  listAuth(): Promise<DeviceAuth[]>;
}

export function memoryDeviceSource(devices: Iterable<DeviceAuth> = []): DeviceAuthSource & { put(d: DeviceAuth): void; delete(id: string): void } {
  const map = new Map<string, DeviceAuth>();
  for (const d of devices) map.set(d.id, d);
  return {
    getAuth: async (id) => map.get(id),
    listAuth: async () => [...map.values()],
    put: (d) => void map.set(d.id, d),
    delete: (id) => void map.delete(id),
  };
}

interface CacheEntry {
  value: DeviceAuth | undefined;
  at: number;
}

/** A short-TTL cache in front of a DeviceAuthSource; concurrent lookups of one id share one query. */
export class DeviceCredentialCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<DeviceAuth | undefined>>();

  constructor(private readonly source: DeviceAuthSource, private readonly ttlMs: number, private readonly now = Date.now) {}

  async get(id: string): Promise<DeviceAuth | undefined> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value;
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.source.getAuth(id).then(
        (value) => {
          this.inflight.delete(id);
          this.entries.set(id, { value, at: this.now() });
          return value;
        },
        (err: unknown) => {
          this.inflight.delete(id);
          throw err;
        },
      );
      this.inflight.set(id, pending);
    }
    return pending;
  }

  /** Replaces the cache with a fresh bulk read (the revocation sweep); returns the rows by id. */
  async refreshAll(): Promise<Map<string, DeviceAuth>> {
    const rows = await this.source.listAuth();
    const at = this.now();
    const byId = new Map<string, DeviceAuth>();
    this.entries.clear();
    for (const row of rows) {
      byId.set(row.id, row);
      this.entries.set(row.id, { value: row, at });
    }
    return byId;
  }

  get size(): number {
    return this.entries.size;
  }
}
