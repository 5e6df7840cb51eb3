import { localShortTime, maskPhone, type AlarmActions } from '@tianwang/alerts/actions';
import type { Queryable } from '@tianwang/core/registry';
import { CHECKLIST } from './checklist.js';
import { createRectifyLink } from './rectify-link.js';

/**
 * The rectification loop of a failed spot check (整改闭环): each round is a notice by SMS to the restaurant's contact
 * with a no-login link (/r/<id>) where they reply with photos and a note; the inspector accepts the reply (the check
 * closes) or sends it back, which opens the next round with a new notice and a new re-check date.
 */
export interface RectifyDeps {
  actions: AlarmActions;
  linkKey: Buffer;
  publicUrl: string;
  timezone: string;
}

export interface OpenRound {
  spotCheckId: number;
  kitchenId: string;
  round: number;
  /** the re-check date, YYYY-MM-DD in TW_TIMEZONE */
  dueOn: string;
  /** round 1: the failed checklist keys; later rounds: the inspector's reason for sending the reply back */
  failedKeys?: string[];
  reason?: string;
  by: string;
  at: Date;
}

/** where the restaurants' photos are stored under TW_DATA_DIR (content-addressed) */
export const RECTIFY_PHOTOS = 'rectification-photos';
/** at most this many photos per round */
export const PHOTOS_PER_ROUND = 9;
/** a link stays usable for a month after the re-check date (late replies are still evidence) */
const LINK_GRACE_MS = 30 * 86_400_000;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

function noticeText(r: OpenRound, due: string): { zh: string; en: string } {
  const [, m, d] = due.split('-');
  if (r.round === 1) {
    const items = CHECKLIST.filter((c) => r.failedKeys?.includes(c.key));
    return {
      zh: `不合格：${cut(items.map((i) => i.label).join('、'), 40)}，请于${Number(m)}月${Number(d)}日前整改并上传照片`,
      en: `failed: ${cut(items.map((i) => i.en).join(', '), 60)}; fix by ${due} and upload photos`,
    };
  }
  const why = cut((r.reason ?? '').replace(/\s+/g, ' ').trim(), 40);
  return { zh: `整改未通过：${why}，请于${Number(m)}月${Number(d)}日前重新整改`, en: `fix rejected: ${why}; fix again by ${due}` };
}

/**
 * Opens a round inside the caller's transaction: the round row, and when the kitchen has a contact phone the reply
 * link and the notice row. Returns what to queue once the transaction has committed (`queueNotice`).
 */
export async function openRound(tx: Queryable, deps: RectifyDeps, r: OpenRound): Promise<{ notificationId: number; phone: string } | undefined> {
  const reason = r.round === 1 ? (r.failedKeys ?? []).join(',') : (r.reason ?? '');
  await tx.query('INSERT INTO rectification_rounds (spot_check_id, round, due_on, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [r.spotCheckId, r.round, r.dueOn, reason, r.by, r.at]);
  await tx.query('UPDATE spot_checks SET recheck_due = $2 WHERE id = $1', [r.spotCheckId, r.dueOn]);
  const [k] = await tx.query<{ name: string; contact_name: string; contact_phone: string }>('SELECT name, contact_name, contact_phone FROM kitchens WHERE id = $1', [r.kitchenId]);
  const phone = k?.contact_phone.trim();
  if (!k || !phone) return undefined;
  const recipient = `餐饮单位联系人 ${k.contact_name} ${maskPhone(phone)}`.replace(/\s+/g, ' ');
  const expires = new Date(new Date(`${r.dueOn}T23:59:59Z`).getTime() + LINK_GRACE_MS);
  const link = await createRectifyLink(tx, deps.linkKey, deps.publicUrl, { spotCheckId: r.spotCheckId, round: r.round, recipient }, expires);
  const what = noticeText(r, r.dueOn);
  const notificationId = await deps.actions.notices.create(tx, {
    stage: `kitchen-rectify-${r.spotCheckId}-${r.round}`, recipientName: recipient, recipientPhone: phone, unit: k.name,
    subject: { 'zh-CN': '明厨亮灶线上抽检', en: 'online kitchen inspection' }, what: { 'zh-CN': what.zh, en: what.en }, time: localShortTime(deps.timezone, r.at), link: link.url,
  });
  await tx.query('UPDATE rectification_rounds SET notification_id = $3, link_id = $4 WHERE spot_check_id = $1 AND round = $2', [r.spotCheckId, r.round, notificationId, link.id]);
  return { notificationId, phone };
}

/**
 * Queues the notice after the commit. A failure here loses nothing: the row stays `queued` and the alerts workers'
 * interrupted-sends scan sends it; the caller logs it and answers as usual.
 */
export async function queueRoundNotice(deps: RectifyDeps, n: { notificationId: number; phone: string } | undefined, onError: (err: unknown) => void): Promise<void> {
  if (!n) return;
  await deps.actions.notices.queue(n.notificationId, n.phone).catch(onError);
}
