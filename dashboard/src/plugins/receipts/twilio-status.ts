import type { FastifyInstance } from 'fastify';
import { TWILIO_STATUS_PATH, verifyTwilioSignature } from '@tianwang/alerts/actions';
import { notificationQueries, type Registry } from '@tianwang/core/registry';

export interface TwilioStatusOptions {
  registry: Registry;
  /** TW_TWILIO_AUTH_TOKEN; without it the hook does not exist */
  authToken: string | undefined;
  /** TW_PUBLIC_URL: the URL Twilio was given, which its signature covers */
  publicUrl: string;
}

/**
 * Twilio's message status callback (the StatusCallback the alerts service sends with each message): a signed form
 * POST. `delivered` marks the notification delivered; `undelivered`/`failed` mark it failed with Twilio's ErrorCode;
 * intermediate states (queued, sending, sent) change nothing. A bad signature is 403 and changes nothing.
 */
export async function twilioStatusPlugin(app: FastifyInstance, o: TwilioStatusOptions): Promise<void> {
  if (!o.authToken) return;
  const token = o.authToken;
  const url = new URL(TWILIO_STATUS_PATH, o.publicUrl).href;
  const notifications = notificationQueries(o.registry.db);
  app.post(TWILIO_STATUS_PATH, async (req, reply) => {
    const params = (req.body ?? {}) as Record<string, string>;
    const sig = req.headers['x-twilio-signature'];
    if (!verifyTwilioSignature(token, url, params, typeof sig === 'string' ? sig : undefined)) return reply.code(403).send({ code: 'TW_FORBIDDEN', message: 'signature does not match' });
    const sid = params.MessageSid ?? '';
    const status = params.MessageStatus ?? '';
    if (sid && status === 'delivered') await notifications.applyReceipt('twilio', sid, { delivered: true, at: new Date() });
    else if (sid && (status === 'undelivered' || status === 'failed')) await notifications.applyReceipt('twilio', sid, { delivered: false, at: new Date(), error: `${status} ${params.ErrorCode ?? ''}`.trim() });
    return reply.code(204).send();
  });
}
