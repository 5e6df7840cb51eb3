import type { Logger } from '@tianwang/core/log';
import type { CameraCache } from '../camera-cache.js';
import type { NmsHost } from '../rtmp/nms-host.js';
import { streamPathOf } from '../access/publish-auth.js';
import type { Recorders } from './recorder.js';

/** Publishers that come and go within this long are looked at once. */
const SOON_MS = 50;

/**
 * Keeps recorders in step with the cameras, their recording hours and who is live, every `periodMs` and soon
 * after a publisher came or went; a camera disabled while live is cut off.
 */
export class RecorderReconciler {
  private timer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly d: { cache: CameraCache; recorders: Recorders; host: () => NmsHost | undefined; periodMs: number },
    private readonly log: Logger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.soon(), this.d.periodMs);
    this.soon();
  }

  /** reconciles in a moment (calls within SOON_MS make one pass) */
  soon(): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = setTimeout(() => this.pass(), SOON_MS);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soonTimer);
    await this.d.recorders.stop();
  }

  private pass(): void {
    const host = this.d.host();
    if (!host) return;
    const cameras = this.d.cache.allCameras();
    for (const c of cameras) if (!c.enabled && host.isLive(streamPathOf(c.id))) host.dropPublisher(streamPathOf(c.id));
    void this.d.recorders.reconcile(cameras, (id) => host.isLive(streamPathOf(id))).catch((err: unknown) => this.log.warn({ err }, 'recorder reconcile failed'));
  }
}
