import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { OperationalError } from '@tianwang/core/errors';
import type { Snapshot, cameraMediaQueries } from '@tianwang/core/registry';
import { jpegSize } from './jpeg-size.js';
import { runFfmpeg } from './run-ffmpeg.js';

/**
 * A snapshot is spot-check evidence: one JPEG decoded from the camera's latest keyframe, which the relay
 * keeps in memory (so no reader has to join the stream and wait for ffmpeg's probing), stored under
 * dataDir/snapshots/<camera>/ with its time, camera, who took it and its SHA-256, so a later dispute can
 * check the file is the one recorded.
 */
export interface SnapshotDeps {
  dataDir: string;
  media: ReturnType<typeof cameraMediaQueries>;
  /** the camera's latest keyframe as a small FLV (keyframe-source.ts), or null when there is none */
  keyframes: (cameraId: string, timeoutMs: number) => Promise<Buffer | null>;
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
  const flv = await deps.keyframes(cameraId, timeoutMs - 500);
  if (!flv) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'no picture from the camera in time');
  const takenAt = new Date();
  const jpeg = await keyframeToJpeg(flv, Math.max(500, timeoutMs - (Date.now() - started)));
  const sha256 = createHash('sha256').update(jpeg).digest('hex');
  const dir = join(deps.dataDir, 'snapshots', cameraId);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${takenAt.toISOString().replace(/[:.]/g, '-')}-${sha256.slice(0, 8)}.jpg`);
  await writeFile(file, jpeg, { flag: 'wx' });
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
