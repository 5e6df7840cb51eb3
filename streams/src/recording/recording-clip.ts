import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotFoundError, OperationalError, UserError } from '@tianwang/core/errors';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.js';
import type { Segment } from './recording-files.js';

/** The longest clip cut at once (30 min of a 1 Mbit/s camera ≈ 225 MB). */
export const CLIP_MAX_MS = 30 * 60_000;
/** A gap between two segments longer than this splits a span (the playlist's discontinuity rule). */
const GAP_MS = 1500;

/** Which stretches of time are recorded: consecutive segments merged, clipped to [from, to). */
export function recordedSpans(segments: Segment[], fromMs: number, toMs: number): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  for (const s of segments) {
    const start = Math.max(s.start, fromMs);
    const end = Math.min(s.end, toMs);
    if (end <= start) continue;
    const last = spans[spans.length - 1];
    if (last && start - last.end <= GAP_MS) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  return spans;
}

export interface Clip {
  path: string;
  bytes: number;
  sha256: string;
  /** removes the clip's temporary folder */
  dispose(): Promise<void>;
}

/**
 * Cuts [from, to) out of the recorded segments into one MP4 (ffmpeg's concat demuxer, stream copy, moov atom first so
 * that a browser plays it while it downloads). Copy cuts land on keyframes: the clip starts at the keyframe at or
 * before `from`. Written to a temporary file first so that its SHA-256 is known before the first byte is sent.
 */
export async function cutClip(dir: string, segments: Segment[], fromMs: number, toMs: number, timeoutMs = 120_000): Promise<Clip> {
  if (toMs - fromMs > CLIP_MAX_MS) throw new UserError('TW_PAYLOAD_INVALID', `a clip is at most ${CLIP_MAX_MS / 60_000} minutes`);
  const first = segments[0];
  if (!first) throw new NotFoundError('recording in that time range');
  const work = await mkdtemp(join(tmpdir(), 'tw-clip-'));
  const dispose = () => rm(work, { recursive: true, force: true });
  try {
    // concat list: file paths quoted for ffmpeg (segment names are digits only, see recording-files.ts)
    await writeFile(join(work, 'list.txt'), segments.map((s) => `file '${join(dir, s.file).replace(/'/g, "'\\''")}'`).join('\n'));
    const out = join(work, 'clip.mp4');
    const offset = Math.max(0, fromMs - first.start) / 1000;
    const duration = (toMs - Math.max(fromMs, first.start)) / 1000;
    const r = await runFfmpeg(
      ['-f', 'concat', '-safe', '0', '-i', join(work, 'list.txt'), '-ss', offset.toFixed(3), '-t', duration.toFixed(3), '-map', '0', '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', out],
      timeoutMs,
    );
    const size = (await stat(out).catch(() => null))?.size ?? 0;
    if (r.code !== 0 || !size) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `cutting the clip failed: ${r.timedOut ? 'timed out' : r.stderr.trim().slice(-300)}`);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(out)) hash.update(chunk as Buffer);
    return { path: out, bytes: size, sha256: hash.digest('hex'), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}
