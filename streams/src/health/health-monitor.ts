import type { Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Camera } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { PROBE_HEIGHT, PROBE_WIDTH, judgePicture, splitFrames } from './frame-analysis.js';
import type { Keyframes } from './keyframe-source.js';
import { Limiter } from '../access/limiter.js';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.js';
import { inWindow } from '../recording/time-window.js';
import type { StreamStats } from '../rtmp/nms-host.js';

/**
 * Camera health: online state, bitrate, frames, last frame time, and black/frozen picture. Each enabled
 * camera is checked every `intervalMs`, on its own schedule: a push camera that is not publishing (or whose
 * last frame is older than `stallMs`) is offline; otherwise its last 3 keyframes, which the relay keeps in
 * memory (a pull camera is pulled briefly for it), are decoded at 32×18 grey and judged (frame-analysis.ts).
 * Decoding three pictures costs little, so `decodeConcurrency` (2) decoders serve hundreds of cameras a
 * minute. Waiting for an RTSP source (up to 10 s when it is unreachable) takes one of `pullConcurrency` (4)
 * separate slots: unreachable pull cameras delay each other, never a push camera's check, and no check
 * waits for a whole round of others. So a change is seen within `intervalMs` + its analysis window
 * (black/frozen: the 3 keyframes kept, ≥ 1 s apart; stalled: `stallMs`) + the probe (< 1 s for push).
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
  keyframes: (camera: Camera, count: number, timeoutMs: number, signal?: AbortSignal) => Promise<Keyframes | null>;
  /** a live camera whose last frame is older than this is offline (stalled publisher); default 10 s */
  stallMs?: number;
  redis?: Redis | undefined;
  /** Redis key names (core's pipelineKeys): the health hash per camera and the camera-events stream */
  keys: PipelineKeys;
  timeZone: string;
  intervalMs: number;
  mode: 'all' | 'push' | 'off';
  onChange?: (h: CameraHealth) => void;
  /** RTSP sources waited for at once (default 4) */
  pullConcurrency?: number;
  /** keyframe decoders at once (default 2) */
  decodeConcurrency?: number;
}

export class HealthMonitor {
  private readonly latest = new Map<string, CameraHealth>();
  private readonly lastBytes = new Map<string, { bytes: number; at: number }>();
  /** camera id → when its next check is due */
  private readonly due = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly pulling: Limiter;
  private readonly decoding: Limiter;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** aborted by stop(): checks waiting for an RTSP source give up at once */
  private abort = new AbortController();

  constructor(
    private readonly deps: HealthDeps,
    private readonly log: Logger,
  ) {
    this.pulling = new Limiter(deps.pullConcurrency ?? 4);
    this.decoding = new Limiter(deps.decodeConcurrency ?? 2);
  }

  start(): void {
    if (this.deps.mode === 'off') return;
    this.stopped = false;
    this.abort = new AbortController();
    // the scheduler only looks at due times; the checks themselves run on their own
    this.timer = setInterval(() => this.schedule(), Math.min(1000, Math.max(100, this.deps.intervalMs / 4)));
    this.timer.unref();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.abort.abort();
    await Promise.all(this.inFlight.values());
  }

  get(cameraId: string): CameraHealth | undefined {
    return this.latest.get(cameraId);
  }

  /** Starts the check of every camera that is due and not being checked already. */
  private schedule(now = Date.now()): void {
    if (this.stopped) return;
    const cameras = this.deps.cameras().filter((c) => c.enabled && (this.deps.mode === 'all' || c.mode === 'push'));
    for (const c of cameras) {
      if (this.inFlight.has(c.id) || (this.due.get(c.id) ?? 0) > now) continue;
      this.due.set(c.id, now + this.deps.intervalMs);
      const run = this.check(c, new Date(now))
        .catch((err: unknown) => this.log.warn({ err, camera: c.id }, 'health check failed'))
        .finally(() => this.inFlight.delete(c.id));
      this.inFlight.set(c.id, run);
    }
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
      const signal = this.abort.signal;
      const latest = camera.mode === 'pull' ? await this.pulling.run(async () => (signal.aborted ? null : this.deps.keyframes(camera, 3, 10_000, signal))) : await this.deps.keyframes(camera, 3, 3500, signal);
      if (signal.aborted) return;
      const flv = latest?.flv;
      const probe = flv ? await this.decoding.run(() => runFfmpeg(['-f', 'flv', '-i', 'pipe:0', '-map', '0:v:0', '-vf', `scale=${PROBE_WIDTH}:${PROBE_HEIGHT},format=gray`, '-f', 'rawvideo', 'pipe:1'], 5000, flv)) : null;
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
    const multi = redis.multi().hset(this.deps.keys.cameraHealth(h.camera), ...fields);
    if (changed) {
      multi.xadd(this.deps.keys.cameraEvents, 'MAXLEN', '~', '100000', '*',
        'camera', h.camera, 'kitchen', h.kitchen, 'state', h.state, 'reason', h.reason, 'ts', String(Date.now()), 'inBusinessHours', String(h.inBusinessHours));
    }
    await multi.exec();
  }
}
