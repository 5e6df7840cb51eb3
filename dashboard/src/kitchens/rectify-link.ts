import { shortId } from '@tianwang/alerts/actions';
import { signToken, verifyToken, type TokenClaims } from '@tianwang/core/crypto';
import { ackLinkQueries, type Queryable } from '@tianwang/core/registry';

/**
 * The no-login link of a kitchen's rectification notice: `${publicUrl}/r/<id>`. Like the alarm acknowledgement
 * link (alerts/src/links/ack-link.ts) the short id maps (table ack_links) to a signed, expiring token, here under a
 * key of its own ('rectify-link'): an alarm link never opens a rectification page, nor the other way round. The
 * token names the spot check, the round and the recipient; a reply is taken only for the round the link was sent for.
 */
export interface RectifyClaims extends TokenClaims {
  /** spot check id */
  k: number;
  /** rectification round */
  n: number;
  /** recipient, as the audit log names them */
  r: string;
}

export async function createRectifyLink(db: Queryable, key: Buffer, publicUrl: string, c: { spotCheckId: number; round: number; recipient: string }, expiresAt: Date): Promise<{ id: string; url: string }> {
  const token = signToken(key, { k: c.spotCheckId, n: c.round, r: c.recipient, exp: Math.floor(expiresAt.getTime() / 1000) } satisfies RectifyClaims);
  const id = shortId();
  await ackLinkQueries(db).put(id, token, expiresAt);
  return { id, url: `${publicUrl.replace(/\/+$/, '')}/r/${id}` };
}

export type ResolvedRectifyLink = { ok: true; claims: RectifyClaims } | { ok: false; reason: 'unknown' | 'expired' | 'bad_signature' | 'malformed' };

export async function resolveRectifyLink(db: Queryable, key: Buffer, id: string, now = Date.now()): Promise<ResolvedRectifyLink> {
  if (!/^[A-Za-z0-9]{8,32}$/.test(id)) return { ok: false, reason: 'unknown' };
  const token = await ackLinkQueries(db).token(id);
  if (!token) return { ok: false, reason: 'unknown' };
  const r = verifyToken<RectifyClaims>(key, token, now);
  if (!r.ok) return r;
  if (!Number.isSafeInteger(r.claims.k) || !Number.isSafeInteger(r.claims.n)) return { ok: false, reason: 'malformed' };
  return r;
}
