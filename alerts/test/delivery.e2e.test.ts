import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '@tianwang/core/testing';
import { PermanentError } from '@tianwang/core/errors';
import { QUEUES, resolveAckLink, type SmsProvider } from '../src/index.js';
import { deriveKey } from '@tianwang/core/crypto';
import { Queue } from 'bullmq';
import { alertsKeys } from '../src/keys.js';
import { worldPerTest } from './helpers/harness.js';
import { ELEVATOR, MASTER_SECRET, PHONES, elevatorReading } from './helpers/world.js';

// one Redis for the file, a fresh world per test (closed when it ends)
const e2e = worldPerTest();

describe('delivery guarantees', () => {
  it('two workers on one stream: one alarm, one SMS per recipient', async () => {
    const w = await e2e.start();
    await w.worker();
    for (let i = 0; i < 50; i++) await w.uplink.telemetry('elevator', ELEVATOR, elevatorReading({ ts: Date.now() - 10_000 + i * 100, speed: 2.5 }));
    await w.uplink.event('elevator', ELEVATOR, '05', 'raised');
    await w.uplink.event('elevator', ELEVATOR, '05', 'raised');
    await w.aliyun.waitFor(2, 5000);
    // the repeated fault is counted on the same alarm (wait for that), never raised as a second one
    const alarms = await waitFor(async () => {
      const list = await w.alarms.list({ subjectId: ELEVATOR });
      return list.find((a) => a.type === 'fault:05')?.count === 2 ? list : undefined;
    }, { what: 'the repeated fault counted on its alarm' });
    expect(alarms.map((a) => a.type).sort()).toEqual(['fault:05', 'overspeed']);
    // a pause in which no further SMS may go out
    await sleep(800);
    // critical alarms bypass the rate limit: two SMS to the officer, one per alarm
    expect(w.aliyun.received.filter((r) => r.to === PHONES.officer)).toHaveLength(2);
  });

  it('a worker restart in the middle of an escalation sends nothing twice', async () => {
    const w = await e2e.start();
    await w.uplink.event('elevator', ELEVATOR, '11', 'raised');
    await w.aliyun.waitFor(2, 5000);
    await w.alerts.stop();
    const [alarm] = await w.alarms.list({ subjectId: ELEVATOR });
    // a duplicate of a stage job (as a replayed or retried job would be) must not send again
    const q = new Queue(QUEUES.escalation, { connection: w.redis, prefix: alertsKeys(w.config.prefix).bullPrefix });
    await q.add('stage', { alarmId: alarm!.id, stage: 'officer' }, { jobId: 'replayed-officer' });
    await q.add('stage', { alarmId: alarm!.id, stage: 'principal' }, { jobId: 'early-principal', delay: 1200 });
    await q.close();
    await w.worker();
    await w.aliyun.waitFor(4, 6000);
    await sleep(1500);
    const to = w.aliyun.received.map((r) => r.to);
    expect(to.sort()).toEqual([PHONES.inspector, PHONES.maintenance, PHONES.officer, PHONES.principal].sort());
    await waitFor(async () => (await w.notifications.listForAlarm(alarm!.id)).map((r) => `${r.stage}:${r.status}`).sort().join() === 'inspector:sent,maintenance:sent,officer:sent,principal:sent');
  });

  it('a reminder cut off by a dying worker mid-send goes out again; one still being sent is left alone', async () => {
    const w = await e2e.start({ tuning: { interruptedSendMs: 60_000, interruptedScanMs: 100 } });
    await w.alerts.stop();
    // the state a worker leaves when it dies between the claim and the provider's answer
    const { alarm } = await w.alarms.raise({ subjectType: 'device', subjectId: ELEVATOR, type: 'fault:11', severity: 'critical', title: '困人', at: new Date() });
    const row = (phone: string, stage: string) =>
      w.notifications.createOnce({ alarmId: alarm.id, stage, recipientName: stage, recipientPhone: phone, template: 'alarm', params: { what: '困人' }, body: `【测试】${stage} 困人`, locale: 'zh-CN' });
    const cut = (await row(PHONES.officer, 'officer'))!;
    const inFlight = (await row(PHONES.principal, 'principal'))!;
    await w.notifications.claim([cut, inFlight]);
    await w.registry.db.query(`UPDATE notifications SET claimed_at = now() - interval '10 minutes' WHERE id = $1`, [cut]);
    // BullMQ's re-run of the stalled job finds nothing to claim: without the scan this reminder is lost
    expect(await w.notifications.claim([cut])).toEqual([]);

    await w.worker();
    const [sms] = await w.aliyun.waitFor(1, 5000, (r) => r.to === PHONES.officer);
    expect(sms!.params!.what).toBe('困人');
    const sent = await waitFor(async () => {
      const n = await w.notifications.get(cut);
      return n.status === 'sent' ? n : undefined;
    });
    expect(sent).toMatchObject({ attempts: 2, provider: 'aliyun' });
    expect((await w.registry.audit.forSubject('alarm', String(alarm.id))).map((e) => e.action)).toContain('notification.resumed');
    await sleep(500);
    expect(await w.notifications.get(inFlight)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(w.aliyun.received.filter((r) => r.to === PHONES.principal)).toHaveLength(0);
  });

  it('transient provider failures are retried with backoff until delivered', async () => {
    const w = await e2e.start();
    w.aliyun.failNext({ kind: 'business', code: 'isv.BUSINESS_LIMIT_CONTROL', message: '触发号码天级流控' }, 1);
    w.aliyun.failNext({ kind: 'http', status: 503 }, 1);
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    const [sms] = await w.aliyun.waitFor(1, 8000, (r) => r.to === PHONES.officer);
    expect(sms!.params!.what).toBe('安全回路断路');
    const row = await waitFor(async () => (await w.notifications.list({ phone: PHONES.officer })).find((n) => n.status === 'sent'));
    expect(row).toMatchObject({ status: 'sent', attempts: 3, provider: 'aliyun' });
    expect(w.aliyun.attempts).toBe(3);
  });

  it('after a long provider outage the reminder goes out within one backoff cap of its end, not after a doubled wait', async () => {
    // 100 ms doubling, capped at 300 ms: uncapped, the attempts after 3.3 s of outage would come at 3.1 s and 6.3 s
    const w = await e2e.start({ env: { TW_SMS_MAX_ATTEMPTS: '40' }, tuning: { smsBackoffMaxMs: 300 } });
    const tried: number[] = [];
    // the attempts of the officer's reminder (the principal's and inspector's stages come during the outage too)
    w.aliyun.failWith((phone) => (phone.endsWith(PHONES.officer) && tried.push(Date.now()), { kind: 'http', status: 503 }));
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    await waitFor(() => tried.length > 0);
    await sleep(3300);
    w.aliyun.failWith(undefined);
    const back = Date.now();
    await w.aliyun.waitFor(1, 8000, (r) => r.to === PHONES.officer);
    const sentAfter = Date.now() - back;
    const gaps = tried.slice(1).map((t, i) => t - tried[i]!);
    expect(Math.max(...gaps), `gaps between attempts ${gaps.join(', ')} ms`).toBeLessThan(1000);
    expect(sentAfter, `sent ${sentAfter} ms after the provider came back`).toBeLessThan(1500);
    const row = await waitFor(async () => (await w.notifications.list({ phone: PHONES.officer })).find((n) => n.status === 'sent'));
    expect(row!.attempts).toBeGreaterThan(8);
  });

  it('a permanent failure (invalid number) is not retried and is reported', async () => {
    const w = await e2e.start();
    w.aliyun.failFor(PHONES.officer, { kind: 'business', code: 'isv.MOBILE_NUMBER_ILLEGAL', message: '非法手机号' });
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    const row = await waitFor(async () => (await w.notifications.list({ phone: PHONES.officer })).find((n) => n.status === 'failed'));
    expect(row.error).toContain('isv.MOBILE_NUMBER_ILLEGAL');
    await sleep(800);
    expect(w.aliyun.attempts).toBe(1);
    expect((await w.notifications.get(row.id)).attempts).toBe(1);
    const audit = await w.registry.audit.forSubject('alarm', String(row.alarmId));
    expect(audit.map((e) => e.action)).toContain('notification.failed');
  });

  it('any error whose intent is permanent is not retried, not only a refused number', async () => {
    const tries: string[] = [];
    const provider: SmsProvider = {
      name: 'strict',
      async send(m) {
        tries.push(m.to);
        throw new PermanentError('TW_PROVIDER_REJECTED', 'strict: the template was withdrawn');
      },
    };
    const w = await e2e.start({ providers: { primary: provider } });
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    const row = await waitFor(async () => (await w.notifications.list({ phone: PHONES.officer })).find((n) => n.status === 'failed'));
    expect(row.error).toContain('template was withdrawn');
    // backoff is 100 ms here: a retry would have come within this pause
    await sleep(800);
    expect(tries.filter((to) => to === PHONES.officer)).toHaveLength(1);
    expect((await w.notifications.get(row.id)).attempts).toBe(1);
  });

  it('fails over to the second provider when the primary keeps failing', async () => {
    const w = await e2e.start({ env: { TW_SMS_FAILOVER: 'twilio', TW_SMS_FAILOVER_AFTER: '2' } });
    w.aliyun.failNext({ kind: 'http', status: 500 }, 100);
    await w.uplink.event('elevator', ELEVATOR, '09', 'raised');
    const got = await w.twilio.waitFor(2, 8000);
    // overtravel: the officer at once, the principal after one "minute", both through the failover
    expect(got.map((r) => r.to)).toEqual(['+86' + PHONES.officer, '+86' + PHONES.principal]);
    expect(got.find((r) => r.to === '+86' + PHONES.officer)!.text).toMatch(/^【天网提醒】阳光花园物业：3号楼1号梯（注册代码31104403002019001234，3号楼东侧）于\d\d-\d\d \d\d:\d\d发生“冲顶”，请立即处置。确认及反馈整改：http:\/\/tw\.test\/a\/\w{10}$/);
    expect(w.aliyun.received).toHaveLength(0);
    // the endpoint has answered; the row is marked right after
    await waitFor(async () => {
      const rows = (await w.notifications.list({})).filter((r) => r.stage === 'officer' || r.stage === 'principal');
      return rows.map((r) => `${r.stage}:${r.status}:${r.provider}`).join() === 'officer:sent:twilio,principal:sent:twilio';
    });
  });

  it('per-recipient rate limit merges reminders into one message instead of dropping them', async () => {
    const w = await e2e.start({ env: { TW_SMS_RATE_WINDOW_S: '2' } });
    // three major alarms for the same officer within one window
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    await w.aliyun.waitFor(1, 5000, (r) => r.to === PHONES.officer);
    await w.uplink.event('elevator', ELEVATOR, '04', 'raised');
    await w.uplink.event('elevator', ELEVATOR, '13', 'raised');
    const officer = await w.aliyun.waitFor(2, 6000, (r) => r.to === PHONES.officer);
    await sleep(2500);
    const all = w.aliyun.received.filter((r) => r.to === PHONES.officer);
    expect(all).toHaveLength(2);
    expect(officer[1]).toMatchObject({ templateCode: 'SMS_DIGEST', params: { count: '2' } });
    expect(officer[1]!.params!.items).toBe('1.3号楼1号梯门区外停梯；2.3号楼1号梯停电');
    expect(officer[1]!.at - officer[0]!.at).toBeGreaterThanOrEqual(1900);
    // one link covers both merged alarms
    const linkId = officer[1]!.params!.link!.split('/a/')[1]!;
    const resolved = await resolveAckLink(w.registry, deriveKey(MASTER_SECRET, 'sms-link'), linkId);
    expect(resolved.ok && resolved.claims.a.length).toBe(2);
    const rows = await waitFor(async () => {
      const r = (await w.notifications.list({ phone: PHONES.officer })).sort((a, b) => a.id - b.id);
      return r.map((x) => x.status).join() === 'sent,sent,merged' ? r : undefined;
    });
    expect(rows[2]!.mergedInto).toBe(rows[1]!.id);
  });

  it('a critical reminder jumps the rate limit alone and in full; what was held still comes with the window\'s flush', async () => {
    const w = await e2e.start({ env: { TW_SMS_RATE_WINDOW_S: '3' } });
    await w.uplink.event('elevator', ELEVATOR, '01', 'raised');
    const [first] = await w.aliyun.waitFor(1, 5000, (r) => r.to === PHONES.officer);
    await w.uplink.event('elevator', ELEVATOR, '04', 'raised'); // major: held for the window's digest
    // wait until it really is held back for the officer before the critical one comes
    const held = alertsKeys(w.config.prefix).held(PHONES.officer);
    await waitFor(async () => (await w.redis.zcard(held)) > 0, { timeoutMs: 5000, what: 'the major reminder to be held' });
    await w.uplink.event('elevator', ELEVATOR, '11', 'raised'); // trapped passengers: critical
    const officer = await w.aliyun.waitFor(3, 8000, (r) => r.to === PHONES.officer);
    const trapped = officer.find((r) => r.params?.what?.includes('困人'));
    expect(trapped).toMatchObject({ templateCode: 'SMS_ALARM' });
    expect(trapped!.params!.device).toContain('31104403002019001234');
    // the critical one went at once, alone, inside the window
    expect(trapped!.at - first!.at).toBeLessThan(2900);
    expect(JSON.stringify(trapped!.params)).not.toContain('门区外停梯');
    // what was held was not sent with it nor at once: it comes when the window ends, without the critical one
    const later = officer.find((r) => r !== first && r !== trapped)!;
    expect(later.templateCode === 'SMS_DIGEST' ? later.params!.items : later.params!.what).toContain('门区外停梯');
    expect(JSON.stringify(later.params)).not.toContain('困人');
    expect(later.at).toBeGreaterThan(trapped!.at);
    expect(later.at - first!.at).toBeGreaterThanOrEqual(2900);
  });

  it('quiet hours: a low-severity reminder waits until they end; a critical one goes at once', async () => {
    // quiet from now (Shanghai time) for about an hour
    const now = new Date();
    const hm = (d: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
    const quiet = `${hm(new Date(now.getTime() - 60_000))}-${hm(new Date(now.getTime() + 3_600_000))}`;
    const w = await e2e.start({ env: { TW_QUIET_HOURS: quiet } });
    await w.uplink.event('elevator', ELEVATOR, '15', 'raised'); // repeated door open/close: warning
    await w.uplink.event('boiler', 'BO-0001', 'B01', 'raised'); // extreme low water: critical
    const [sms] = await w.aliyun.waitFor(1, 10_000);
    expect(sms!.params!.what).toBe('极低水位（缺水）');
    // the warning's reminder is scheduled, not sent (waited for: on a loaded machine it may take over a second)
    const world = w;
    const job = await waitFor(async () => {
      const warning = (await world.alarms.list({ subjectId: ELEVATOR }))[0];
      return warning && (await world.escalationQueue.getDelayed()).find((j) => j.id === `${warning.id}-officer`);
    }, { timeoutMs: 10_000, what: 'the warning reminder scheduled' });
    // waits about an hour (the quiet hours' end), not the test's shrunken minutes
    expect(job.opts.delay).toBeGreaterThan(55 * 60_000);
    await sleep(1000);
    expect(w.aliyun.received).toHaveLength(1);
  });
});
