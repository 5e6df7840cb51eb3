import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The relay's own ffmpeg children (RTSP pull, HLS, recorder, snapshots, health probes) publish to and read
 * from node-media-server over loopback RTMP. They present this token, an HMAC of the stream path with
 * deriveKey(masterSecret, 'publish'), instead of a camera's secret or a viewer's play signature.
 */
export function internalToken(key: Buffer, streamPath: string): string {
  return createHmac('sha256', key).update(`internal\n${streamPath}`).digest('base64url');
}

export function verifyInternalToken(key: Buffer, streamPath: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length === 0) return false;
  const given = Buffer.from(token, 'base64url');
  const expected = createHmac('sha256', key).update(`internal\n${streamPath}`).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
