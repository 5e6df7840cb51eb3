import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { OperationalError } from '@tianwang/core/errors';
import type { Snapshot, cameraMediaQueries } from '@tianwang/core/registry';
import { jpegSize } from './jpeg-size.js';
import type { Keyframes } from './keyframe-source.js';
import { runFfmpeg } from '../ffmpeg/run-ffmpeg.js';

/**
 * A snapshot is spot-check evidence: one JPEG decoded from the camera's latest keyframe, which the relay
 * keeps in memory (so no reader has to join the stream and wait for ffmpeg's probing), stored under
 * dataDir/snapshots/<camera>/ with its time, camera, who took it and its SHA-256, so a later dispute can
 * check the file is the one recorded. Its time is when that keyframe reached the relay, not when the
 * inspector asked: with a 10 s keyframe interval the two can be 10 s apart, and evidence states when the
 * picture was seen.
 */
export interface SnapshotDeps {
  dataDir: string;
  media: ReturnType<typeof cameraMediaQueries>;
  /** the camera's latest keyframe as a small FLV and its arrival time (keyframe-source.ts), or null */
  keyframes: (cameraId: string, timeoutMs: number) => Promise<Keyframes | null>;
}

/** Decodes the keyframe of a small FLV to a JPEG. */
export async function keyframeToJpeg(flv: Buffer, timeoutMs: number): Promise<Buffer> {
  const r = await runFfmpeg(['-f', 'flv', '-i', 'pipe:0', '-map', '0:v:0', '-frames:v', '1', '-f', 'image2', '-c:v', 'mjpeg', '-q:v', '3', 'pipe:1'], timeoutMs, flv);
  if (r.stdout.length < 100 || r.stdout[0] !== 0xff || r.stdout[1] !== 0xd8) {
    throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', r.timedOut ? 'no picture from the camera in time' : `no picture from the camera: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return r.stdout;
}

export async function takeSnapshot(deps: SnapshotDeps, cameraId: string, takenBy: string | null, timeoutMs = 2000): Promise<Snapshot> {
  const started = Date.now();
  const frame = await deps.keyframes(cameraId, timeoutMs - 500);
  if (!frame) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'no picture from the camera in time');
  const takenAt = new Date(frame.at);
  const jpeg = await keyframeToJpeg(frame.flv, Math.max(500, timeoutMs - (Date.now() - started)));
  const sha256 = createHash('sha256').update(jpeg).digest('hex');
  const dir = join(deps.dataDir, 'snapshots', cameraId);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${takenAt.toISOString().replace(/[:.]/g, '-')}-${sha256.slice(0, 8)}.jpg`);
  await writeOnce(file, jpeg, sha256);
  const size = jpegSize(jpeg);
  return deps.media.insertSnapshot({
    cameraId,
    takenAt,
    takenBy,
    path: relative(deps.dataDir, file),
    sha256,
    bytes: jpeg.length,
    width: size?.width ?? null,
    height: size?.height ?? null,
  });
}

/**
 * Files are named by keyframe time and hash, so two snapshots of the same keyframe (two inspectors, a
 * double click) name the same file: the second keeps the first's file when its bytes are the same, and
 * nothing is ever overwritten.
 */
async function writeOnce(file: string, jpeg: Buffer, sha256: string): Promise<void> {
  try {
    await writeFile(file, jpeg, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const existing = await readFile(file);
    if (createHash('sha256').update(existing).digest('hex') !== sha256) throw new OperationalError('TW_CONFLICT', 'a different snapshot file exists under this name', { cause: err });
  }
}
