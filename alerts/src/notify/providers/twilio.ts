import twilio from 'twilio';
import { ProviderFailedError, RecipientRejectedError, e164, type SmsMessage, type SmsProvider } from '../provider.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  /** sender number, or a messaging service SID (MG…) */
  from: string;
  /** replaces scheme and host of every API request (a local endpoint in tests) */
  apiUrl?: string;
  timeout?: number;
  /** where Twilio posts the message's status changes (delivered, undelivered, failed): the dashboard's hook */
  statusCallback?: string;
}

/** 4xx error codes that concern the recipient or this message: retrying or failing over cannot help. */
const RECIPIENT_CODES = new Set([21211, 21214, 21217, 21219, 21408, 21610, 21612, 21614, 21617, 21635]);

// The SDK's own HTTP client, rewriting the host: twilio has no base-URL option (edge/region only change subdomains).
class RewritingClient extends twilio.RequestClient {
  constructor(private readonly base: URL, timeout: number) {
    super({ timeout, keepAlive: true });
  }
  override request<T>(opts: Parameters<twilio.RequestClient['request']>[0]) {
    const u = new URL(opts.uri);
    u.protocol = this.base.protocol;
    u.host = this.base.host;
    return super.request<T>({ ...opts, uri: u.href } as Parameters<twilio.RequestClient['request']>[0] as never);
  }
}

/** Twilio Programmable Messaging through the official SDK: 201 is success, a RestException is a refusal. */
export function createTwilioProvider(o: TwilioOptions): SmsProvider {
  const timeout = o.timeout ?? 10_000;
  const client = twilio(o.accountSid, o.authToken, {
    timeout,
    ...(o.apiUrl ? { httpClient: new RewritingClient(new URL(o.apiUrl), timeout) } : {}),
  });
  const sender = o.from.startsWith('MG') ? { messagingServiceSid: o.from } : { from: o.from };
  return {
    name: 'twilio',
    async send(m: SmsMessage) {
      try {
        const msg = await client.messages.create({ to: e164(m.to), body: m.text, ...sender, ...(o.statusCallback ? { statusCallback: o.statusCallback } : {}) });
        return { provider: 'twilio', messageId: msg.sid };
      } catch (err) {
        const e = err as { status?: number; code?: number; message?: string };
        if (typeof e.status === 'number' && e.code !== undefined && RECIPIENT_CODES.has(e.code))
          throw new RecipientRejectedError('twilio', String(e.code), e.message ?? '');
        throw new ProviderFailedError('twilio', e.code !== undefined ? String(e.code) : e.status ? `HTTP ${e.status}` : 'network', e.message ?? String(err), { cause: err });
      }
    },
  };
}
