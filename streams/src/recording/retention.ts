import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@tianwang/core/log';
import { listSegments } from './recording-files.js';

/**
 * Deletes recording segments that ended before the cutoff (default: kept 7 days, TW_RECORDING_DAYS).
 * Runs at start and then every `intervalMs`; a camera folder left empty is removed too.
 */
export async function sweepRecordings(root: string, cutoffMs: number): Promise<number> {
  let cameras: string[];
  try {
    cameras = await readdir(root);
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const camera of cameras) {
    const dir = join(root, camera);
    const segments = await listSegments(dir);
    for (const s of segments) {
      if (s.end >= cutoffMs) break;
      await rm(join(dir, s.file), { force: true });
      deleted++;
    }
    if ((await readdir(dir).catch(() => ['?'])).length === 0) await rm(dir, { recursive: true, force: true });
  }
  return deleted;
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly opts: { root: string; keepMs: number; intervalMs?: number },
    private readonly log: Logger,
  ) {}

  start(): void {
    const run = () =>
      sweepRecordings(this.opts.root, Date.now() - this.opts.keepMs).then(
        (n) => n > 0 && this.log.info({ deleted: n }, 'expired recording segments deleted'),
        (err: unknown) => this.log.warn({ err }, 'recording retention sweep failed'),
      );
    void run();
    this.timer = setInterval(() => void run(), this.opts.intervalMs ?? 3_600_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
