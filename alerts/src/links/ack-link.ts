import { randomBytes } from 'node:crypto';
import { signToken, verifyToken, type TokenClaims } from '@tianwang/core/crypto';
import { ackLinkQueries, type Registry } from '@tianwang/core/registry';

/**
 * Acknowledgement links in SMS: `${publicUrl}/a/<id>`. The id is short (SMS length is money and attention);
 * it maps to a signed, expiring token (HMAC, key derived for 'sms-link') that names the alarms, the stage and
 * the recipient. The dashboard verifies the token on every request, so a leaked table row is worthless after expiry.
 */
export interface AckClaims extends TokenClaims {
  /** alarm ids (several for a merged reminder) */
  a: number[];
  /** escalation stage of the recipient */
  s: string;
  /** recipient, as the audit log names them: "安全管理员 张三 138****1234" */
  r: string;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 10 characters of a 57-letter alphabet without look-alikes: ~58 bits, unguessable at any request rate we allow. */
export function shortId(length = 10): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length && i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 228) out += ALPHABET[b % 57];
  }
  while (out.length < length) out += ALPHABET[randomBytes(1)[0]! % 57];
  return out;
}

export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

export async function createAckLink(
  registry: Registry,
  key: Buffer,
  publicUrl: string,
  claims: { alarmIds: number[]; stage: string; recipient: string },
  ttlMs: number,
  now = Date.now(),
): Promise<string> {
  const exp = Math.floor((now + ttlMs) / 1000);
  const token = signToken(key, { a: claims.alarmIds, s: claims.stage, r: claims.recipient, exp } satisfies AckClaims);
  const id = shortId();
  await ackLinkQueries(registry.db).put(id, token, new Date(exp * 1000));
  return `${publicUrl.replace(/\/+$/, '')}/a/${id}`;
}

export type ResolvedLink = { ok: true; claims: AckClaims } | { ok: false; reason: 'unknown' | 'expired' | 'bad_signature' | 'malformed' };

export async function resolveAckLink(registry: Registry, key: Buffer, id: string, now = Date.now()): Promise<ResolvedLink> {
  if (!/^[A-Za-z0-9]{8,32}$/.test(id)) return { ok: false, reason: 'unknown' };
  const token = await ackLinkQueries(registry.db).token(id);
  if (!token) return { ok: false, reason: 'unknown' };
  const r = verifyToken<AckClaims>(key, token, now);
  if (!r.ok) return r;
  if (!Array.isArray(r.claims.a) || !r.claims.a.every((n) => Number.isSafeInteger(n))) return { ok: false, reason: 'malformed' };
  return r;
}
