import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@tianwang/core/log';
import { FfmpegSupervisor } from './ffmpeg-supervisor.js';
import { HlsFiles } from './hls-files.js';

/**
 * HLS for phones and the public page, packaged on demand: the first playlist request of a camera starts an
 * ffmpeg that copies the live stream (no transcoding) into 1 s segments in a per-camera folder; when nobody
 * has asked for the playlist or a segment for `idleMs`, the packager is stopped and its folder removed.
 */
interface Packager {
  supervisor: FfmpegSupervisor;
  dir: string;
  lastAccess: number;
  /** its playlist has existed once: later requests need not look for it again (HlsFiles reads it) */
  ready: boolean;
}

export class HlsPackagers {
  private readonly packagers = new Map<string, Packager>();
  /** the packagers' playlists and listed segments in memory, for the many viewers of one camera */
  readonly files = new HlsFiles();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly opts: { rootDir: string; idleMs: number; readUrl: (cameraId: string) => string; onRestart?: () => void },
    private readonly log: Logger,
  ) {
    this.sweeper = setInterval(() => void this.sweep(), Math.min(5000, Math.max(250, opts.idleMs / 4)));
    this.sweeper.unref();
  }

  /** Starts the packager if needed and waits (up to timeoutMs) until its playlist exists; returns the folder. */
  async ensure(cameraId: string, timeoutMs = 10_000): Promise<string | null> {
    let p = this.packagers.get(cameraId);
    if (!p) {
      const dir = join(this.opts.rootDir, cameraId);
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const supervisor = new FfmpegSupervisor(
        {
          name: `hls:${cameraId}`,
          args: () => [
            ...['-fflags', 'nobuffer', '-analyzeduration', '1000000', '-i', this.opts.readUrl(cameraId)],
            // numbered from the epoch second each time ffmpeg starts: a restarted child never reuses a name, which a
            // cache (the browser's, a CDN's for public cameras) may still hold for another picture
            ...['-map', '0:v:0', '-c', 'copy', '-f', 'hls', '-hls_time', '1', '-hls_list_size', '6', '-hls_start_number_source', 'epoch'],
            ...['-hls_flags', 'delete_segments+omit_endlist+independent_segments', '-hls_segment_filename', join(dir, 'seg-%d.ts'), join(dir, 'index.m3u8')],
          ],
          maxBackoffMs: 10_000,
        },
        this.log,
      );
      supervisor.on('restart', () => this.opts.onRestart?.());
      p = { supervisor, dir, lastAccess: Date.now(), ready: false };
      this.packagers.set(cameraId, p);
      supervisor.start();
      this.log.info({ camera: cameraId }, 'hls packager started');
    }
    p.lastAccess = Date.now();
    if (p.ready) return p.dir;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await exists(join(p.dir, 'index.m3u8'))) {
        p.ready = true;
        return p.dir;
      }
      if (Date.now() > deadline || this.packagers.get(cameraId) !== p) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A segment request keeps the packager alive; null when none runs for the camera. */
  touch(cameraId: string): string | null {
    const p = this.packagers.get(cameraId);
    if (!p) return null;
    p.lastAccess = Date.now();
    return p.dir;
  }

  isRunning(cameraId: string): boolean {
    return this.packagers.has(cameraId);
  }

  private async sweep(now = Date.now()): Promise<void> {
    for (const [cameraId, p] of this.packagers) {
      if (now - p.lastAccess < this.opts.idleMs) continue;
      this.packagers.delete(cameraId);
      this.log.info({ camera: cameraId }, 'hls packager stopped (idle)');
      this.files.forget(p.dir);
      await p.supervisor.stop();
      await rm(p.dir, { recursive: true, force: true });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.sweeper);
    const all = [...this.packagers.values()];
    this.packagers.clear();
    for (const p of all) this.files.forget(p.dir);
    await Promise.all(all.map(async (p) => (await p.supervisor.stop(), await rm(p.dir, { recursive: true, force: true }))));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Appends a signed query to every URI line: the viewer's own, or a public camera's shared segment token. */
export function signPlaylist(playlist: string, query: string): string {
  return playlist
    .split('\n')
    .map((line) => (line && !line.startsWith('#') ? `${line}?${query}` : line))
    .join('\n');
}
