import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTwilioProvider } from '@tianwang/alerts';
import { startFakeTwilio, type FakeTwilio } from '@tianwang/alerts/testing';
import { alarmQueries, notificationQueries } from '@tianwang/core/registry';
import { freePort } from '@tianwang/core/testing';
import { startWorld, type World } from './helpers/world.js';

let w: World;
let fake: FakeTwilio;
let base: string;

beforeAll(async () => {
  fake = await startFakeTwilio();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  w = await startWorld({ env: { TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port), TW_PUBLIC_URL: base, TW_TWILIO_AUTH_TOKEN: fake.authToken } });
  await w.dashboard.start();
});
afterAll(async () => {
  await w?.close();
  await fake?.close();
});

describe("Twilio's status callback", () => {
  it('marks the notification delivered or failed from a signed callback, and refuses an unsigned one', async () => {
    const provider = createTwilioProvider({ accountSid: fake.accountSid, authToken: fake.authToken, from: '+15005550006', apiUrl: fake.url, statusCallback: `${base}/hooks/twilio/status` });
    const q = notificationQueries(w.registry.db);
    const { alarm } = await alarmQueries(w.registry.db).raise({ subjectType: 'device', subjectId: 'EL-1', unitId: 'U1', type: 'fault:11', severity: 'critical', title: '困人', at: new Date() });
    const rows: { id: number; sid: string }[] = [];
    for (const phone of ['+14155550101', '+14155550102']) {
      const id = (await q.createOnce({ alarmId: alarm.id, stage: `s${phone}`, recipientName: 'n', recipientPhone: phone, template: 'alarm', params: {}, body: '', locale: 'en' }))!;
      await q.claim([id]);
      const sent = await provider.send({ to: phone, template: 'alarm', locale: 'en', params: {}, text: 'hello' });
      await q.markSent(id, 'twilio', sent.messageId, 'hello');
      rows.push({ id, sid: sent.messageId });
    }
    // a forged callback: the signature does not match, nothing changes
    const forged = await fetch(`${base}/hooks/twilio/status`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'AAAA' }, body: new URLSearchParams({ MessageSid: rows[0]!.sid, MessageStatus: 'delivered' }).toString() });
    expect(forged.status).toBe(403);
    expect((await q.get(rows[0]!.id)).status).toBe('sent');

    expect(await fake.reportStatus(rows[0]!.sid, 'sent')).toBe(204);
    expect((await q.get(rows[0]!.id)).status).toBe('sent');
    expect(await fake.reportStatus(rows[0]!.sid, 'delivered')).toBe(204);
    expect(await fake.reportStatus(rows[1]!.sid, 'undelivered', '30003')).toBe(204);
    const [a, b] = await Promise.all(rows.map((r) => q.get(r.id)));
    expect(a).toMatchObject({ status: 'delivered' });
    expect(a!.deliveredAt).toBeInstanceOf(Date);
    expect(b).toMatchObject({ status: 'failed', receiptError: 'undelivered 30003' });
    // the alarm's timeline shows it
    const admin = await (await import('./helpers/world.js')).login(w.dashboard, 'admin');
    const d = (await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/alarms/${alarm.id}`, headers: admin.headers() })).json();
    expect(d.timeline.map((n: { status: string }) => n.status)).toEqual(['delivered', 'failed']);
  });
});
