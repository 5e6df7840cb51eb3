import type { Camera } from '@tianwang/core/registry';
import type { NmsHost } from '../rtmp/nms-host.js';
import type { PullRelays } from '../ffmpeg/pull-relay.js';
import { streamPathOf } from '../access/publish-auth.js';

/**
 * The latest keyframes of a camera as a small FLV (see NmsHost.keyframesFlv). A pull camera that is not
 * being pulled is pulled for the occasion (and released, so the idle timer stops it again). Waits until
 * `count` keyframes are there or the deadline passes; returns what there is (and when the latest keyframe
 * arrived), or null.
 */
export type Keyframes = { flv: Buffer; at: number };

export async function cameraKeyframes(nms: NmsHost, pulls: PullRelays, camera: Camera, count: number, timeoutMs: number, signal?: AbortSignal): Promise<Keyframes | null> {
  const path = streamPathOf(camera.id);
  const pulled = camera.mode === 'pull';
  if (pulled) pulls.acquire(camera);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const have = nms.streamStats(path)?.keyframes.length ?? 0;
      if (have >= count || Date.now() > deadline || signal?.aborted) return nms.keyframesFlv(path, count);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    if (pulled) pulls.release(camera.id);
  }
}
