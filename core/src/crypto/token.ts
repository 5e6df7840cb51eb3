import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Compact signed, expiring tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). Used for SMS
 * acknowledgement links and similar capability URLs. `exp` is seconds since the epoch.
 */
export interface TokenClaims {
  exp: number;
  [k: string]: unknown;
}

export type TokenResult<T> = { ok: true; claims: T } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function signToken(key: Buffer, claims: TokenClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const sig = createHmac('sha256', key).update(body).digest('base64url');
  return `${body}.${sig}`;
}

export function verifyToken<T extends TokenClaims>(key: Buffer, token: string, nowMs = Date.now()): TokenResult<T> {
  const dot = token.indexOf('.');
  if (dot <= 0 || token.length > 4096) return { ok: false, reason: 'malformed' };
  const body = token.slice(0, dot);
  const sig = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', key).update(body).digest();
  if (sig.length !== expected.length || !timingSafeEqual(sig, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: T;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.exp !== 'number') return { ok: false, reason: 'malformed' };
  if (claims.exp * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
