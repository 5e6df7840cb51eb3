import type { Redis } from 'ioredis';
import { pipelineKeys } from '@tianwang/core/pipeline';
import type { Camera } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { PROBE_HEIGHT, PROBE_WIDTH, judgePicture, splitFrames } from './frame-analysis.js';
import { runFfmpeg } from './run-ffmpeg.js';
import { inWindow } from './time-window.js';
import type { StreamStats } from './nms-host.js';

/**
 * Camera health: online state, bitrate, frames, last frame time, and black/frozen picture. Every interval
 * each enabled camera is checked: a push camera that is not publishing (or whose last frame is older than
 * `stallMs`) is offline; otherwise its last 3 keyframes, which the relay keeps in memory (a pull camera is
 * pulled briefly for it), are decoded at 32×18 grey and judged (frame-analysis.ts). A probe decodes three
 * pictures, so checking hundreds of cameras a minute costs little; probes run two at a time.
 * A change of state is appended to the camera-events stream (alerts decides, with business hours, whether
 * it is a violation and whom to tell); the latest health of every camera is kept in a Redis hash.
 */
export type HealthState = 'offline' | 'blank' | 'frozen' | 'ok';

export interface CameraHealth {
  camera: string;
  kitchen: string;
  state: HealthState;
  reason: string;
  online: boolean;
  bitrateKbps: number | null;
  frames: number | null;
  lastFrameAt: string | null;
  inBusinessHours: boolean;
  checkedAt: string;
}

export interface HealthDeps {
  cameras: () => Camera[];
  businessHours: (kitchenId: string) => string | null;
  isLive: (cameraId: string) => boolean;
  stats: (cameraId: string) => StreamStats | undefined;
  /** the camera's last keyframes as a small FLV (pulls a pull camera briefly) */
  keyframes: (camera: Camera, count: number, timeoutMs: number) => Promise<Buffer | null>;
  /** a live camera whose last frame is older than this is offline (stalled publisher); default 10 s */
  stallMs?: number;
  redis?: Redis | undefined;
  keyPrefix: string;
  timeZone: string;
  intervalMs: number;
  mode: 'all' | 'push' | 'off';
  onChange?: (h: CameraHealth) => void;
}

export function healthKey(prefix: string, cameraId: string): string {
  return `${prefix}:camera-health:${cameraId}`;
}

export class HealthMonitor {
  private readonly latest = new Map<string, CameraHealth>();
  private readonly lastBytes = new Map<string, { bytes: number; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: HealthDeps,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.deps.mode === 'off') return;
    this.stopped = false;
    const loop = () => {
      this.ticking = this.tick().catch((err: unknown) => this.log.warn({ err }, 'health check failed'));
      void this.ticking.then(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.deps.intervalMs);
      });
    };
    this.timer = setTimeout(loop, Math.min(this.deps.intervalMs, 1000));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
  }

  get(cameraId: string): CameraHealth | undefined {
    return this.latest.get(cameraId);
  }

  async tick(now = new Date()): Promise<void> {
    const cameras = this.deps.cameras().filter((c) => c.enabled && (this.deps.mode === 'all' || c.mode === 'push'));
    const queue = [...cameras];
    const worker = async () => {
      for (let c = queue.shift(); c && !this.stopped; c = queue.shift()) await this.check(c, now);
    };
    await Promise.all([worker(), worker()]);
  }

  private async check(camera: Camera, now: Date): Promise<void> {
    const live = this.deps.isLive(camera.id);
    let state: HealthState;
    let reason: string;
    const before = this.deps.stats(camera.id);
    if (camera.mode === 'push' && !live) {
      state = 'offline';
      reason = 'camera is not publishing';
    } else if (before && before.lastFrameAt > 0 && Date.now() - before.lastFrameAt > (this.deps.stallMs ?? 10_000)) {
      state = 'offline';
      reason = 'connected but no frames';
    } else {
      const flv = await this.deps.keyframes(camera, 3, camera.mode === 'pull' ? 10_000 : 3500);
      const probe = flv ? await runFfmpeg(['-f', 'flv', '-i', 'pipe:0', '-map', '0:v:0', '-vf', `scale=${PROBE_WIDTH}:${PROBE_HEIGHT},format=gray`, '-f', 'rawvideo', 'pipe:1'], 5000, flv) : null;
      const frames = probe ? splitFrames(probe.stdout) : [];
      if (frames.length === 0) {
        state = 'offline';
        reason = camera.mode === 'pull' ? 'no picture from the RTSP source' : 'no picture';
      } else {
        const verdict = judgePicture(frames);
        state = verdict.state;
        reason = verdict.reason;
      }
    }
    const stats = this.deps.stats(camera.id);
    let bitrateKbps: number | null = null;
    if (stats) {
      const prev = this.lastBytes.get(camera.id);
      const at = Date.now();
      if (prev && at > prev.at && stats.bytes >= prev.bytes) bitrateKbps = Math.round(((stats.bytes - prev.bytes) * 8) / (at - prev.at));
      else bitrateKbps = Math.round((stats.bytes * 8) / Math.max(1, at - stats.since));
      this.lastBytes.set(camera.id, { bytes: stats.bytes, at });
    }
    const hours = this.deps.businessHours(camera.kitchenId);
    const health: CameraHealth = {
      camera: camera.id,
      kitchen: camera.kitchenId,
      state,
      reason,
      online: state !== 'offline',
      bitrateKbps,
      frames: stats?.frames ?? null,
      lastFrameAt: stats?.lastFrameAt ? new Date(stats.lastFrameAt).toISOString() : null,
      inBusinessHours: hours ? inWindow(hours, now, this.deps.timeZone) : true,
      checkedAt: new Date().toISOString(),
    };
    const previous = this.latest.get(camera.id);
    this.latest.set(camera.id, health);
    await this.publish(health, previous?.state !== state);
  }

  private async publish(h: CameraHealth, changed: boolean): Promise<void> {
    if (changed) {
      this.log.info({ camera: h.camera, state: h.state, reason: h.reason }, 'camera health changed');
      this.deps.onChange?.(h);
    }
    const redis = this.deps.redis;
    if (!redis) return;
    const fields = Object.entries(h).flatMap(([k, v]) => [k, v === null ? '' : String(v)]);
    const multi = redis.multi().hset(healthKey(this.deps.keyPrefix, h.camera), ...fields);
    if (changed) {
      multi.xadd(pipelineKeys(this.deps.keyPrefix).cameraEvents, 'MAXLEN', '~', '100000', '*',
        'camera', h.camera, 'kitchen', h.kitchen, 'state', h.state, 'reason', h.reason, 'ts', String(Date.now()), 'inBusinessHours', String(h.inBusinessHours));
    }
    await multi.exec();
  }
}
