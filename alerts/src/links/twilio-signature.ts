import { createHmac, timingSafeEqual } from 'node:crypto';

/** The path Twilio posts message status callbacks to (served by the dashboard, which has the public URL). */
export const TWILIO_STATUS_PATH = '/hooks/twilio/status';

/**
 * Twilio's request signature (X-Twilio-Signature): base64 HMAC-SHA1, keyed with the auth token, of the full URL
 * Twilio called followed by every POST parameter name and value, sorted by name. Written out here so that the
 * process receiving callbacks (the dashboard) needs no Twilio SDK.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export function verifyTwilioSignature(authToken: string, url: string, params: Record<string, string>, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(twilioSignature(authToken, url, params));
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
