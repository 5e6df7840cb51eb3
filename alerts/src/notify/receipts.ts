import type { Logger } from '@tianwang/core/log';
import { notificationQueries, type Registry } from '@tianwang/core/registry';
import { maskPhone } from '../links/ack-link.js';
import type { SmsProvider } from './provider.js';

/** How long after sending a provider is still asked for a receipt (Aliyun keeps send details for 30 days; a day is plenty). */
export const RECEIPT_WINDOW_MS = 24 * 3_600_000;

/**
 * One round of delivery receipts for the providers that are asked (Aliyun QuerySendDetails): every sent message of
 * the last day still without a receipt is looked up, and a delivered or failed answer updates its row (status
 * delivered / failed, delivered_at, receipt_error). A provider that fails is logged and asked again next round.
 * Answers the rows updated.
 */
export async function pollReceipts(registry: Registry, providers: SmsProvider[], log: Logger, now = Date.now()): Promise<number> {
  const q = notificationQueries(registry.db);
  let updated = 0;
  for (const p of providers) {
    if (!p.receipt) continue;
    for (const n of await q.awaitingReceipt(p.name, new Date(now - RECEIPT_WINDOW_MS))) {
      try {
        const r = await p.receipt({ messageId: n.providerMessageId!, to: n.recipientPhone, sentAt: n.sentAt ?? n.createdAt });
        if (r.state === 'pending') continue;
        updated += await q.applyReceipt(p.name, n.providerMessageId!, r.state === 'delivered' ? { delivered: true, at: r.at } : { delivered: false, at: r.at, error: r.error });
      } catch (err) {
        log.warn({ err, notification: n.id, provider: p.name, phone: maskPhone(n.recipientPhone) }, 'delivery receipt query failed');
        break;
      }
    }
  }
  return updated;
}
