import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Camera } from '@tianwang/core/registry';
import type { Logger } from '@tianwang/core/log';
import { FfmpegSupervisor } from './ffmpeg-supervisor.js';
import { inWindow } from './time-window.js';

/**
 * Rolling recording per camera (on or off, optionally only within recording hours), in MPEG-TS segments of
 * `segmentS` seconds named by their start time (see recording-files.ts). The stream is copied, never
 * transcoded. reconcile() starts and stops recorders to match what should record now; it runs on every
 * publish change and on a timer (recording hours begin and end without any event).
 */
export interface RecorderOptions {
  root: string;
  segmentS: number;
  timeZone: string;
  readUrl: (cameraId: string) => string;
  onRestart?: () => void;
}

export class Recorders {
  private readonly running = new Map<string, FfmpegSupervisor>();

  constructor(
    private readonly opts: RecorderOptions,
    private readonly log: Logger,
  ) {}

  /** Should this camera be recording now? Push cameras only while publishing; pull cameras are pulled for it. */
  static wanted(camera: Camera, live: boolean, now: Date, timeZone: string): boolean {
    if (!camera.enabled || !camera.recordingEnabled) return false;
    if (!inWindow(camera.recordingHours, now, timeZone)) return false;
    return camera.mode === 'pull' || live;
  }

  async reconcile(cameras: Camera[], isLive: (id: string) => boolean, now = new Date()): Promise<void> {
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

  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((s) => s.stop()));
  }
}
