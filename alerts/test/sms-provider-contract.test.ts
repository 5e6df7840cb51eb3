import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunProvider, createConsoleProvider, createTwilioProvider, ProviderFailedError, RecipientRejectedError, type SmsMessage, type SmsProvider } from '../src/index.js';
import { startFakeAliyun, startFakeTwilio, type FakeAliyun, type FakeTwilio } from '../src/testing/index.js';
import { silentLogger } from '@tianwang/core/log';

/**
 * One contract, every provider: accepts a valid message and says which provider took it; refuses an invalid
 * number as a RecipientRejectedError (never retried); reports provider trouble as ProviderFailedError (retried).
 */
interface Harness {
  name: string;
  provider: () => SmsProvider;
  /** what the far side received, as (to, text or params) */
  received: () => { to: string; content: string }[];
  /** makes the next request fail the way this provider fails transiently; absent for providers without a far side */
  transient?: { label: string; inject: () => void }[];
}

let aliyun: FakeAliyun;
let twilio: FakeTwilio;
const consoleProvider = createConsoleProvider(silentLogger());

const message: SmsMessage = {
  to: '13800000001', locale: 'zh-CN', template: 'alarm',
  params: { unit: '阳光花园物业', device: '3号楼1号梯', what: '困人', time: '06-01 10:32', link: 'http://tw.test/a/Ab3dE9kQxy' },
  text: '【天网提醒】阳光花园物业：3号楼1号梯于06-01 10:32发生“困人”，请立即处置。确认及反馈整改：http://tw.test/a/Ab3dE9kQxy',
};

const harnesses: Harness[] = [
  {
    name: 'aliyun',
    provider: () => createAliyunProvider({
      accessKeyId: aliyun.accessKeyId, accessKeySecret: aliyun.accessKeySecret, endpoint: aliyun.url, signName: '天网提醒',
      templates: { alarm: { 'zh-CN': 'SMS_ALARM', en: 'SMS_ALARM_EN' }, digest: { 'zh-CN': 'SMS_DIGEST', en: 'SMS_DIGEST_EN' }, summary: { 'zh-CN': 'SMS_SUMMARY', en: 'SMS_SUMMARY_EN' } }, timeout: 3000,
    }),
    received: () => aliyun.received.map((r) => ({ to: r.to, content: JSON.stringify(r.params) })),
    transient: [
      { label: 'isv.BUSINESS_LIMIT_CONTROL in a 200 body', inject: () => aliyun.failNext({ kind: 'business', code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发分钟级流控Permits:1' }) },
      { label: 'HTTP 503', inject: () => aliyun.failNext({ kind: 'http', status: 503, code: 'ServiceUnavailable' }) },
      { label: 'connection dropped', inject: () => aliyun.failNext({ kind: 'drop' }) },
    ],
  },
  {
    name: 'twilio',
    provider: () => createTwilioProvider({ accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+15005550006', apiUrl: twilio.url, timeout: 3000 }),
    received: () => twilio.received.map((r) => ({ to: r.to, content: r.text ?? '' })),
    transient: [
      { label: '429 Too Many Requests', inject: () => twilio.failNext({ kind: 'http', status: 429, code: 20429, message: 'Too Many Requests' }) },
      { label: 'HTTP 500', inject: () => twilio.failNext({ kind: 'http', status: 500, code: 20500, message: 'Internal Server Error' }) },
      { label: 'connection dropped', inject: () => twilio.failNext({ kind: 'drop' }) },
    ],
  },
  {
    name: 'console',
    provider: () => consoleProvider,
    received: () => consoleProvider.sent.map((m) => ({ to: m.to, content: m.text })),
  },
];

beforeAll(async () => {
  aliyun = await startFakeAliyun();
  twilio = await startFakeTwilio();
});
afterAll(async () => {
  await aliyun?.close();
  await twilio?.close();
});

describe.each(harnesses)('SMS provider contract: $name', (h) => {
  it('sends a valid message and names the provider and message id', async () => {
    const before = h.received().length;
    const r = await h.provider().send(message);
    expect(r.provider).toBe(h.name);
    expect(r.messageId).not.toBe('');
    const got = h.received().slice(before);
    expect(got).toHaveLength(1);
    expect(got[0]!.to.replace(/^\+86/, '')).toBe('13800000001');
    expect(got[0]!.content).toContain('3号楼1号梯');
    expect(got[0]!.content).toContain('http://tw.test/a/Ab3dE9kQxy');
  });

  it('refuses an invalid number as a recipient error (not retried, no failover)', async () => {
    const err = await h.provider().send({ ...message, to: '12345' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecipientRejectedError);
    expect((err as RecipientRejectedError).retryable).toBe(false);
  });

  for (const t of h.transient ?? []) {
    it(`reports ${t.label} as a provider failure (retryable)`, async () => {
      t.inject();
      const err = await h.provider().send(message).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderFailedError);
      expect((err as ProviderFailedError).retryable).toBe(true);
    });
  }
});

describe('what the SDKs send', () => {
  it('aliyun: signed request with sign name, template code and JSON params; a wrong secret is refused by the endpoint', async () => {
    const before = aliyun.received.length;
    await harnesses[0]!.provider().send({ ...message, to: '+8613800000002', locale: 'en' });
    const got = aliyun.received[before]!;
    expect(got).toMatchObject({ to: '13800000002', signName: '天网提醒', templateCode: 'SMS_ALARM_EN', params: message.params });
    const wrong = createAliyunProvider({
      accessKeyId: aliyun.accessKeyId, accessKeySecret: 'not-the-secret', endpoint: aliyun.url, signName: '天网提醒',
      templates: { alarm: { 'zh-CN': 'SMS_ALARM', en: 'SMS_ALARM_EN' }, digest: { 'zh-CN': 'SMS_DIGEST', en: 'SMS_DIGEST_EN' }, summary: { 'zh-CN': 'SMS_SUMMARY', en: 'SMS_SUMMARY_EN' } },
    });
    const err = await wrong.send(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderFailedError);
    expect((err as ProviderFailedError).providerCode).toBe('SignatureDoesNotMatch');
  });
  it('aliyun: an illegal number answered in a 200 body is a recipient error', async () => {
    aliyun.failFor('13800000003', { kind: 'business', code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' });
    const err = await harnesses[0]!.provider().send({ ...message, to: '13800000003' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RecipientRejectedError);
    expect((err as RecipientRejectedError).providerCode).toBe('isv.MOBILE_NUMBER_ILLEGAL');
  });
  it('twilio: basic auth, E.164 number, rendered text; 21211 from the API is a recipient error; a wrong token is a provider failure', async () => {
    const before = twilio.received.length;
    await harnesses[1]!.provider().send(message);
    expect(twilio.received[before]).toMatchObject({ to: '+8613800000001', text: message.text });
    twilio.failFor('+8613800000004', { kind: 'http', status: 400, code: 21211, message: "The 'To' number is not a valid phone number." });
    expect(await harnesses[1]!.provider().send({ ...message, to: '13800000004' }).catch((e: unknown) => e)).toBeInstanceOf(RecipientRejectedError);
    const wrong = createTwilioProvider({ accountSid: twilio.accountSid, authToken: 'nope', from: '+15005550006', apiUrl: twilio.url });
    const err = await wrong.send(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderFailedError);
    expect((err as ProviderFailedError).providerCode).toBe('20003');
  });
  it('aliyun endpoint failWith: every other request refused until cleared (the half-failing provider of the soak run)', async () => {
    let n = 0;
    aliyun.failWith(() => (n++ % 2 === 0 ? { kind: 'http', status: 503 } : undefined));
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(await harnesses[0]!.provider().send({ ...message, to: '13800000005' }).then(() => 'sent', (e: unknown) => (e instanceof ProviderFailedError ? 'failed' : String(e))));
    }
    aliyun.failWith(undefined);
    await harnesses[0]!.provider().send({ ...message, to: '13800000005' });
    expect(outcomes).toEqual(['failed', 'sent', 'failed', 'sent']);
    expect(aliyun.received.filter((r) => r.to === '13800000005')).toHaveLength(3);
  });
});
