import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed, expiring play URLs. The signature covers camera, expiry and audience, so a URL issued for one
 * camera never opens another, and a public (consumer) URL stays subject to the per-viewer limits.
 * The key is deriveKey(masterSecret, 'play-url'): a play signature can never pass as any other token. The relay
 * verifies them; the relay (inspectors) and the dashboard (consumers' public kitchen pages) issue them.
 */
export type Audience = 'i' | 'p'; // inspector | public

export interface PlayGrant {
  camera: string;
  exp: number;
  aud: Audience;
}

export type PlayCheck = { ok: true; grant: PlayGrant } | { ok: false; status: 401 | 403; reason: 'missing' | 'malformed' | 'bad_signature' | 'expired' };

function mac(key: Buffer, camera: string, exp: number, aud: Audience): Buffer {
  return createHmac('sha256', key).update(`${camera}\n${exp}\n${aud}`).digest();
}

/** Query string (without "?") for a play URL. */
export function signPlay(key: Buffer, camera: string, ttlSeconds: number, aud: Audience, nowMs = Date.now()): { query: string; exp: number } {
  const exp = Math.floor(nowMs / 1000) + ttlSeconds;
  const sig = mac(key, camera, exp, aud).toString('base64url');
  return { query: `exp=${exp}&aud=${aud}&sig=${sig}`, exp };
}

/** 401 when no signature was presented at all, 403 when one was presented and is wrong or expired. */
export function verifyPlay(key: Buffer, camera: string, params: URLSearchParams, nowMs = Date.now()): PlayCheck {
  const sig = params.get('sig');
  const expRaw = params.get('exp');
  if (!sig && !expRaw) return { ok: false, status: 401, reason: 'missing' };
  const aud = params.get('aud');
  const exp = Number(expRaw);
  if (!sig || !Number.isSafeInteger(exp) || (aud !== 'i' && aud !== 'p')) return { ok: false, status: 403, reason: 'malformed' };
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(key, camera, exp, aud);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 403, reason: 'bad_signature' };
  if (exp * 1000 < nowMs) return { ok: false, status: 403, reason: 'expired' };
  return { ok: true, grant: { camera, exp, aud } };
}

/**
 * A camera's name in consumers' URLs (`/hls/pub/<alias>/…`, `/play/pub/<alias>.flv`): 22 base64url characters of an
 * HMAC of its id under the play key, so a public URL names no registry id and no id can be read back from it. The
 * signature still covers the camera id itself: the relay maps the alias back and checks it as for any play URL.
 */
export function publicAlias(key: Buffer, camera: string): string {
  return createHmac('sha256', key).update(`alias\n${camera}`).digest('base64url').slice(0, 22);
}
