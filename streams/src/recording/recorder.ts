import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Camera } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { FfmpegSupervisor } from '../ffmpeg/ffmpeg-supervisor.js';
import { inWindow } from './time-window.js';

/**
 * Rolling recording per camera (on or off, optionally only within recording hours), in MPEG-TS segments of
 * `segmentS` seconds named by their start time (see recording-files.ts). The stream is copied, never
 * transcoded. reconcile() starts and stops recorders to match what should record now; it runs on every
 * publish change and on a timer (recording hours begin and end without any event).
 * A recorder (an ffmpeg of ~50 MB) runs only while its stream is live. A pull camera that should record is
 * held pulled (`holdSource`): its puller retries an unreachable source with backoff, and the recorder starts
 * when the stream comes up and stops when it goes, instead of idling for hours on a stream that never comes.
 */
export interface RecorderOptions {
  root: string;
  segmentS: number;
  timeZone: string;
  readUrl: (cameraId: string) => string;
  onRestart?: () => void;
  /** keep a pull camera pulled while it should record / let it go */
  holdSource?: (camera: Camera) => void;
  releaseSource?: (cameraId: string) => void;
}

export class Recorders {
  private readonly running = new Map<string, FfmpegSupervisor>();
  private readonly held = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: RecorderOptions,
    private readonly log: Logger,
  ) {}

  /** Should this camera record now (if its stream is live)? */
  static due(camera: Camera, now: Date, timeZone: string): boolean {
    return camera.enabled && camera.recordingEnabled && inWindow(camera.recordingHours, now, timeZone);
  }

  /** Should this camera's recorder run now? Only while it should record and its stream is live. */
  static wanted(camera: Camera, live: boolean, now: Date, timeZone: string): boolean {
    return live && Recorders.due(camera, now, timeZone);
  }

  /** Starts and stops recorders (and holds pull cameras) to match `cameras` now; calls run one after another. */
  reconcile(cameras: Camera[], isLive: (id: string) => boolean, now = new Date()): Promise<void> {
    const run = this.queue.then(() => this.reconcileNow(cameras, isLive, now));
    this.queue = run.catch(() => {});
    return run;
  }

  private async reconcileNow(cameras: Camera[], isLive: (id: string) => boolean, now: Date): Promise<void> {
    const pullsDue = new Map(cameras.filter((c) => c.mode === 'pull' && Recorders.due(c, now, this.opts.timeZone)).map((c) => [c.id, c]));
    for (const id of this.held) {
      if (pullsDue.has(id)) continue;
      this.held.delete(id);
      this.opts.releaseSource?.(id);
    }
    for (const [id, camera] of pullsDue) {
      if (this.held.has(id) || !this.opts.holdSource) continue;
      this.held.add(id);
      this.opts.holdSource(camera);
    }
    const want = new Set(cameras.filter((c) => Recorders.wanted(c, isLive(c.id), now, this.opts.timeZone)).map((c) => c.id));
    for (const [id, sup] of this.running) {
      if (want.has(id)) continue;
      this.running.delete(id);
      this.log.info({ camera: id }, 'recording stopped');
      await sup.stop();
    }
    for (const id of want) {
      if (this.running.has(id)) continue;
      const dir = join(this.opts.root, id);
      await mkdir(dir, { recursive: true });
      const sup = new FfmpegSupervisor(
        {
          name: `rec:${id}`,
          args: () => [
            ...['-fflags', 'nobuffer', '-analyzeduration', '1000000', '-i', this.opts.readUrl(id), '-map', '0:v:0', '-c', 'copy'],
            ...['-f', 'segment', '-segment_time', String(this.opts.segmentS), '-segment_format', 'mpegts', '-strftime', '1', join(dir, '%s.ts')],
          ],
          maxBackoffMs: 30_000,
        },
        this.log,
      );
      sup.on('restart', () => this.opts.onRestart?.());
      this.running.set(id, sup);
      sup.start();
      this.log.info({ camera: id }, 'recording started');
    }
  }

  isRecording(id: string): boolean {
    return this.running.has(id);
  }

  supervisor(id: string): FfmpegSupervisor | undefined {
    return this.running.get(id);
  }

  /** Whether a pull camera is held pulled for recording. */
  isHolding(id: string): boolean {
    return this.held.has(id);
  }

  async stop(): Promise<void> {
    for (const id of this.held) this.opts.releaseSource?.(id);
    this.held.clear();
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((s) => s.stop()));
  }
}
