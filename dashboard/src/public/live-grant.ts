import { msUntilRangeEnd } from '@tianwang/alerts/actions';
import { publicAlias, signPlay } from '@tianwang/core/crypto';
import type { Queryable } from '@tianwang/core/registry';
import type { PublicKitchen } from './kitchen-facts.js';
import type { ViewerQuota } from './viewer-quota.js';

export interface LiveGrantDeps {
  db: Queryable;
  /** deriveKey(secret, 'play-url'): the relay checks these signatures */
  playKey: Buffer;
  quota: ViewerQuota;
  /** TW_PUBLIC_VIEW_S */
  viewSeconds: number;
  timezone: string;
}

const AREA: Record<string, [string, string]> = {
  cold_dish: ['凉菜间', 'Cold dishes'], raw: ['粗加工区', 'Preparation'], cooking: ['烹饪区', 'Cooking'],
  dishwashing: ['洗消间', 'Dishwashing'], storage: ['库房', 'Storage'], other: ['后厨', 'Kitchen'],
};

export type LiveGrant =
  | { state: 'live'; streams: { label: string; labelEn: string; hls: string; flv: string }[]; expiresAt: string; seconds: number }
  | { state: 'off' | 'closed' | 'full' | 'none'; businessHours: string };

/**
 * A consumer's live view of a kitchen: only when the kitchen opted in (publicViewing) and within its business hours
 * (TW_TIMEZONE), and only while it has fewer viewers than TW_PUBLIC_VIEWERS_PER_KITCHEN. The grant is the relay's
 * signed URLs with the public audience, expiring after TW_PUBLIC_VIEW_S or at closing time, whichever comes first:
 * the relay refuses every playlist request and ends every FLV stream after that (the per-viewer time limit is the relay's to enforce,
 * not the page's). Nothing else is handed out: no camera id (the URLs name the camera by its public alias), no token
 * that outlives the grant.
 */
export async function liveGrant(d: LiveGrantDeps, k: PublicKitchen, relayBase: string, now = Date.now()): Promise<LiveGrant> {
  if (!k.publicViewing) return { state: 'off', businessHours: k.businessHours };
  let openMs: number;
  try {
    openMs = msUntilRangeEnd(k.businessHours, d.timezone, new Date(now));
  } catch {
    openMs = 0; // hours the registry cannot read: no live view rather than a guess
  }
  if (openMs <= 0) return { state: 'closed', businessHours: k.businessHours };
  const cameras = await d.db.query<{ id: string; area: string }>('SELECT id, area FROM cameras WHERE kitchen_id = $1 AND enabled ORDER BY id LIMIT 4', [k.id]);
  if (!cameras.length) return { state: 'none', businessHours: k.businessHours };
  const seconds = Math.max(1, Math.min(d.viewSeconds, Math.floor(openMs / 1000)));
  if (!(await d.quota.take(k.id, now + seconds * 1000, now))) return { state: 'full', businessHours: k.businessHours };
  let exp = 0;
  const streams = cameras.map((c) => {
    const s = signPlay(d.playKey, c.id, seconds, 'p', now);
    exp = s.exp;
    const [label, labelEn] = AREA[c.area] ?? AREA.other!;
    // the camera by its public alias: the URL names no registry id (the signature covers the id all the same)
    const alias = publicAlias(d.playKey, c.id);
    return { label, labelEn, hls: `${relayBase}/hls/pub/${alias}/index.m3u8?${s.query}`, flv: `${relayBase}/play/pub/${alias}.flv?${s.query}` };
  });
  return { state: 'live', streams, expiresAt: new Date(exp * 1000).toISOString(), seconds };
}
