import type { Camera, Kitchen, Registry } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { withinDistrict } from './http/district-scope.js';

/**
 * Cameras and their kitchens, held in memory. node-media-server decides publish and play synchronously,
 * so the decision cannot wait for the database: it reads this cache, which is refreshed periodically and
 * on a miss (a camera added a moment ago is accepted on its next reconnect attempt).
 */
export class CameraCache {
  private cameras = new Map<string, Camera>();
  /** public alias → camera id (consumers' URLs name no camera id; play-url.ts publicAlias) */
  private aliases = new Map<string, string>();
  private kitchens = new Map<string, Kitchen>();
  /** district tree: node id → parent id */
  private districtParents = new Map<string, string | null>();
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private lastMissRefresh = 0;
  private readonly refreshed: (() => void)[] = [];

  constructor(
    private readonly registry: Registry,
    private readonly log: Logger,
    /** TW_STREAMS_CAMERA_REFRESH_MS */
    private readonly refreshMs: number,
    private readonly aliasOf?: (cameraId: string) => string,
  ) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch((err: unknown) => this.log.warn({ err }, 'camera cache refresh failed')), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const [cameras, kitchens, districts] = await Promise.all([this.registry.kitchens.listCameras(), this.registry.kitchens.list(), this.registry.districts.list()]);
        this.cameras = new Map(cameras.map((c) => [c.id, c]));
        if (this.aliasOf) this.aliases = new Map(cameras.map((c) => [this.aliasOf!(c.id), c.id]));
        this.kitchens = new Map(kitchens.map((k) => [k.id, k]));
        this.districtParents = new Map(districts.map((d) => [d.id, d.parentId]));
        for (const fn of this.refreshed) fn();
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Called after every successful refresh (sessions that depend on a camera's state are looked at again). */
  onRefresh(fn: () => void): void {
    this.refreshed.push(fn);
  }

  /** Synchronous lookup; a miss schedules a refresh (at most one per 2 s, so unknown ids cannot hammer the database). */
  camera(id: string): Camera | undefined {
    const c = this.cameras.get(id);
    if (!c) this.refreshSoon();
    return c;
  }

  /** A refresh after a miss, at most one per 2 s (so unknown ids cannot hammer the database). */
  refreshSoon(): void {
    if (Date.now() - this.lastMissRefresh <= 2000) return;
    this.lastMissRefresh = Date.now();
    void this.refresh().catch(() => {});
  }

  /** The camera id behind a public alias (synchronous, a miss refreshes like camera()). */
  cameraIdOfAlias(alias: string): string | undefined {
    const id = this.aliases.get(alias);
    if (id === undefined) this.camera(`\0${alias}`); // schedules the same rate-limited refresh
    return id;
  }

  /** Lookup that refreshes once on a miss (API requests can wait). */
  async cameraFresh(id: string): Promise<Camera | undefined> {
    if (!this.cameras.has(id)) await this.refresh();
    return this.cameras.get(id);
  }

  /** Is the camera enabled and its kitchen's public viewing on (what consumers may see)? */
  isPublic(cameraId: string): boolean {
    const c = this.cameras.get(cameraId);
    return c !== undefined && c.enabled && this.kitchens.get(c.kitchenId)?.publicViewing === true;
  }

  kitchen(id: string): Kitchen | undefined {
    return this.kitchens.get(id);
  }

  /** Is the kitchen in the district `rootId` or anywhere under it (its grids)? */
  kitchenWithin(kitchenId: string, rootId: string): boolean {
    const k = this.kitchens.get(kitchenId);
    return k !== undefined && withinDistrict(this.districtParents, k.districtId, rootId);
  }

  allCameras(): Camera[] {
    return [...this.cameras.values()];
  }
}
