import { verifySecret } from '@tianwang/core/crypto';
import type { Camera } from '@tianwang/core/registry';

/**
 * Who may publish to a stream path. A camera publishes to /live/<its id> only, with its own secret in the
 * query (`?token=<secret>`); the secret is checked against the stored salted hash. Everything else is refused:
 * unknown or disabled cameras, pull cameras (only the relay's own puller, with the internal token, publishes
 * those), other apps, and wrong, revoked (hash replaced) or missing secrets.
 */
export const LIVE_APP = 'live';

export type PublishDecision = { ok: true; camera: Camera } | { ok: false; reason: string };

export function streamPathOf(cameraId: string): string {
  return `/${LIVE_APP}/${cameraId}`;
}

/** "/live/cam-1" → "cam-1"; null for any other app or shape. */
export function cameraIdOf(streamPath: string): string | null {
  const m = /^\/live\/([A-Za-z0-9_-]{3,40})$/.exec(streamPath);
  return m ? (m[1] as string) : null;
}

export function decidePublish(streamPath: string, token: unknown, lookup: (id: string) => Camera | undefined): PublishDecision {
  const id = cameraIdOf(streamPath);
  if (!id) return { ok: false, reason: 'not a camera stream path' };
  const camera = lookup(id);
  if (!camera) return { ok: false, reason: 'unknown camera' };
  if (!camera.enabled) return { ok: false, reason: 'camera disabled' };
  if (camera.mode !== 'push') return { ok: false, reason: 'pull camera: only the relay publishes it' };
  if (typeof token !== 'string' || token === '') return { ok: false, reason: 'missing publish secret' };
  if (!verifySecret(token, camera.publishCredentialHash)) return { ok: false, reason: 'wrong publish secret' };
  return { ok: true, camera };
}
