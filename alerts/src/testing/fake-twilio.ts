import { createHmac, randomBytes } from 'node:crypto';
import { createFakeServer, failureScript, json, listen, readBody, waiter, type FakeProviderBase, type ReceivedSms } from './fake-common.js';

/**
 * A local endpoint that answers like Twilio's Messages API: POST /2010-04-01/Accounts/{Sid}/Messages.json with
 * HTTP basic auth (account SID and auth token) and a form body To/From/Body; 201 with the message resource, or
 * 4xx with Twilio's error body {code, message, more_info, status}.
 */
export interface FakeTwilio extends FakeProviderBase {
  accountSid: string;
  authToken: string;
  /**
   * Reports a message's status to the StatusCallback it was sent with, as Twilio does: a signed form POST
   * (X-Twilio-Signature) with MessageSid, MessageStatus, ErrorCode, …. Answers the callback's HTTP status.
   */
  reportStatus(sid: string, status: 'sent' | 'delivered' | 'undelivered' | 'failed', errorCode?: string): Promise<number>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

export async function startFakeTwilio(o: { accountSid?: string; authToken?: string; port?: number } = {}): Promise<FakeTwilio> {
  const accountSid = o.accountSid ?? `AC${'0'.repeat(31)}1`;
  const authToken = o.authToken ?? 'test-auth-token';
  const received: ReceivedSms[] = [];
  const callbacks = new Map<string, { url: string; to: string; from: string }>();
  const script = failureScript();
  const fake = { attempts: 0, delayMs: 0 } as FakeTwilio;
  const error = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
  const server = createFakeServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    fake.attempts++;
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    const m = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return json(res, 404, error(404, 20404, 'The requested resource was not found'));
    const auth = String(req.headers.authorization ?? '');
    const [user, pass] = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':') : [];
    if (user !== accountSid || pass !== authToken || m[1] !== accountSid) return json(res, 401, error(401, 20003, 'Authenticate'));
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return json(res, 400, error(400, 20001, 'Unsupported content type'));
    const form = new URLSearchParams(body.toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
    const text = form.get('Body') ?? '';
    if (!from) return json(res, 400, error(400, 21603, "A 'From' phone number is required."));
    if (!text) return json(res, 400, error(400, 21602, 'Message body is required.'));
    const failure = script.take(to);
    if (failure?.kind === 'drop') return void req.socket.destroy();
    if (failure?.kind === 'http' || failure?.kind === 'business') {
      const status = failure.kind === 'http' ? failure.status : 400;
      return json(res, status, error(status, Number(failure.code ?? 20500), failure.message ?? 'Internal Server Error'));
    }
    if (!E164.test(to)) return json(res, 400, error(400, 21211, `The 'To' number ${to} is not a valid phone number.`));
    const sid = `SM${randomBytes(16).toString('hex')}`;
    received.push({ provider: 'twilio', to, text, at: Date.now(), messageId: sid });
    const cb = form.get('StatusCallback');
    if (cb) callbacks.set(sid, { url: cb, to, from });
    const now = new Date().toUTCString();
    return json(res, 201, {
      sid, account_sid: accountSid, to, from, body: text, status: 'queued', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01',
      date_created: now, date_updated: now, date_sent: null, error_code: null, error_message: null, price: null, price_unit: 'USD',
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`, subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    });
  });
  const port = await listen(server, o.port);
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    received,
    async reportStatus(sid: string, status: string, errorCode?: string) {
      const cb = callbacks.get(sid);
      if (!cb) throw new Error(`message ${sid} was sent without a StatusCallback`);
      const params: Record<string, string> = { AccountSid: accountSid, ApiVersion: '2010-04-01', From: cb.from, MessageSid: sid, MessageStatus: status, SmsSid: sid, SmsStatus: status, To: cb.to, ...(errorCode ? { ErrorCode: errorCode } : {}) };
      // Twilio's signature: HMAC-SHA1 over the URL and the sorted parameters, keyed with the auth token
      const signature = createHmac('sha1', authToken).update(cb.url + Object.keys(params).sort().map((k) => k + params[k]).join('')).digest('base64');
      const res = await fetch(cb.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': randomBytes(8).toString('hex') }, body: new URLSearchParams(params).toString() });
      return res.status;
    },
    failNext: script.failNext,
    failFor: script.failFor,
    failWith: script.failWith,
    waitFor: waiter(received),
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  });
}
