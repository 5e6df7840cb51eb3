/**
 * Registry lookups for validation and tagging, cached. The whole device list is reloaded with one query every
 * TTL (a city has tens of thousands of devices: one query beats thousands of lookups); a device missing from
 * the list is looked up once on its own (a device registered a moment ago is found at once) and a miss is
 * remembered for the TTL, so an unknown device that floods costs one query per TTL, not one per message.
 */
import type { DeviceAuth } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { deviceTagSet, unwritableTags } from './line-protocol.js';

export interface DeviceLookup {
  getAuth(id: string): Promise<DeviceAuth | undefined>;
  listAuth(): Promise<DeviceAuth[]>;
}

export interface CachedDevice {
  id: string;
  kind: DeviceAuth['kind'];
  enabled: boolean;
  unitId: string;
  districtId: string;
  /** line-protocol tag set, built once; '' when the device id cannot be a tag (its messages are refused) */
  tagSet: string;
}

const LOOKUP_CONCURRENCY = 16;
const MAX_NEGATIVE = 100_000;

export class DeviceCache {
  private known = new Map<string, CachedDevice>();
  /** devices already warned about (an id that cannot be a tag is logged once per process, not per reload) */
  private readonly warned = new Set<string>();
  private unknownUntil = new Map<string, number>();
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;

  constructor(
    private readonly lookup: DeviceLookup,
    private readonly ttlMs: number,
    private readonly log?: Logger,
  ) {}

  /** Loads the whole list; start() waits for it so the first messages need no lookups. */
  async warm(): Promise<void> {
    const list = await this.lookup.listAuth();
    const next = new Map<string, CachedDevice>();
    for (const a of list) next.set(a.id, this.toCached(a));
    this.known = next;
    this.loadedAt = Date.now();
  }

  /** The cached device, null when known to be unknown, undefined when a lookup is needed. */
  get(id: string): CachedDevice | null | undefined {
    const d = this.known.get(id);
    if (d) return d;
    const until = this.unknownUntil.get(id);
    if (until !== undefined && until > Date.now()) return null;
    return undefined;
  }

  /** Makes sure every id is resolved (cached, found, or remembered as unknown); throws when the registry is unreachable. */
  async resolve(ids: Iterable<string>): Promise<void> {
    this.maybeReload();
    const missing = [...ids].filter((id) => this.get(id) === undefined);
    for (let i = 0; i < missing.length; i += LOOKUP_CONCURRENCY) {
      await Promise.all(missing.slice(i, i + LOOKUP_CONCURRENCY).map((id) => this.fetchOne(id)));
    }
  }

  private async fetchOne(id: string): Promise<void> {
    try {
      const a = await this.lookup.getAuth(id);
      if (a) {
        this.known.set(id, this.toCached(a));
        this.unknownUntil.delete(id);
        return;
      }
      if (this.unknownUntil.size > MAX_NEGATIVE) this.unknownUntil.clear();
      this.unknownUntil.set(id, Date.now() + this.ttlMs);
    } catch (err) {
      // The registry being down must not park valid telemetry as "unknown device": throw so the batch is retried.
      this.log?.warn({ err, deviceId: id }, 'registry lookup failed');
      throw err;
    }
  }

  private toCached(a: DeviceAuth): CachedDevice {
    const left = unwritableTags(a);
    if (left.length) {
      // Registry ids that line protocol cannot carry (line-protocol.ts): the points go without those tags. Said
      // once per device and ids, not at every reload.
      const key = `${a.id}\u0000${a.unitId}\u0000${a.districtId}`;
      if (!this.warned.has(key)) {
        this.warned.add(key);
        this.log?.warn(
          { code: 'TW_ID_INVALID', deviceId: a.id, unitId: a.unitId, districtId: a.districtId, tags: left },
          left.includes('device') ? 'device id cannot be an InfluxDB tag; its messages are refused' : 'registry id cannot be an InfluxDB tag; points of this device are written without it',
        );
      }
    }
    return { id: a.id, kind: a.kind, enabled: a.enabled, unitId: a.unitId, districtId: a.districtId, tagSet: deviceTagSet(a) ?? '' };
  }

  /** Background full reload once the list is older than the TTL; failures keep the old list. */
  private maybeReload(): void {
    if (this.reloading || Date.now() - this.loadedAt < this.ttlMs) return;
    this.reloading = this.warm()
      .catch((err: unknown) => {
        this.loadedAt = Date.now();
        this.log?.warn({ err }, 'registry reload failed; keeping the cached device list');
      })
      .finally(() => {
        this.reloading = undefined;
      });
  }

  async close(): Promise<void> {
    await this.reloading;
  }
}
