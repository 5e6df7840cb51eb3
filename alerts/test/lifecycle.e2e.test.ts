import { describe, expect, it } from 'vitest';
import { sleep, waitFor } from '@tianwang/core/testing';
import { createAlarmActions } from '../src/actions.js';
import { worldPerTest } from './helpers/harness.js';
import { BOILER, ELEVATOR, PHONES } from './helpers/world.js';

// one Redis for the file, a fresh world per test (closed when it ends)
const e2e = worldPerTest();

describe('device faults through the uplink stream → alarm → escalation → Aliyun endpoint', () => {
  it('trapped passengers: officer and maintenance at once, principal and inspector later; a repeat only counts; the clear closes it', async () => {
    const w = await e2e.start();
    await w.uplink.event('elevator', ELEVATOR, '11', 'raised');
    const first = await w.aliyun.waitFor(2, 5000);
    expect(first.map((r) => r.to).sort()).toEqual([PHONES.maintenance, PHONES.officer].sort());
    const officer = first.find((r) => r.to === PHONES.officer)!;
    expect(officer.templateCode).toBe('SMS_ALARM');
    expect(officer.params).toMatchObject({ unit: '阳光花园物业', what: '困人', device: '3号楼1号梯（注册代码31104403002019001234，3号楼东侧）' });
    expect(officer.params!.link).toMatch(/^http:\/\/tw\.test\/a\/[A-Za-z0-9]{10}$/);
    expect(first.find((r) => r.to === PHONES.maintenance)!.params!.what).toContain('维保单位');

    // nobody acknowledges: principal after 1 "minute", inspector after 2
    const all = await w.aliyun.waitFor(4, 6000);
    expect(all.slice(2).map((r) => r.to)).toEqual([PHONES.principal, PHONES.inspector]);
    expect(all[2]!.params!.what).toBe('困人（安全管理员1分钟未确认）');

    await w.uplink.event('elevator', ELEVATOR, '11', 'raised');
    const repeated = await waitFor(async () => {
      const [a] = await w.alarms.list({ subjectId: ELEVATOR });
      return a && a.count === 2 ? a : undefined;
    });
    expect(repeated.status).toBe('open');
    expect((await w.alarms.list({ subjectId: ELEVATOR })).length).toBe(1);

    await w.uplink.event('elevator', ELEVATOR, '11', 'cleared');
    const closed = await waitFor(async () => {
      const a = await w.alarms.find(repeated.id);
      return a?.status === 'closed' ? a : undefined;
    });
    expect(closed.outcome).toBe('auto_cleared');
    expect(closed.closedVia).toBe('automatic');
    await sleep(300);
    expect(w.aliyun.received).toHaveLength(4);
    const audit = await w.registry.audit.forSubject('alarm', String(closed.id));
    expect(audit.map((e) => `${e.action}/${e.via}`)).toEqual(['alarm.raised/automatic', 'alarm.closed/automatic']);
  });

  it('acknowledging stops the later stages: delayed jobs removed, nothing more sent', async () => {
    // a "minute" of 4 s, not FAST's 1 s: the acknowledgement must come before the principal's stage is due, and
    // under CI load more than a second passed between the officer's SMS and it (CI's retry hid that)
    const minuteMs = 4000;
    const w = await e2e.start({ tuning: { minuteMs } });
    const raisedAt = Date.now();
    await w.uplink.event('boiler', BOILER, 'B03', 'raised');
    await w.aliyun.waitFor(1, 5000);
    const [alarm] = await w.alarms.list({ subjectId: BOILER });
    expect(alarm).toMatchObject({ type: 'fault:B03', severity: 'critical', status: 'open' });
    // the principal's and the inspector's stages wait in the queue
    await waitFor(async () => ((await w.escalationQueue.getDelayedCount()) === 2 ? true : undefined), { timeoutMs: 5000, what: 'two delayed stages' });
    const acked = await w.alerts.alarms.acknowledge(alarm!.id, { name: '安全管理员 张安全', type: 'contact' }, 'sms_link');
    expect(acked?.status).toBe('acknowledged');
    expect(Date.now() - raisedAt).toBeLessThan(minuteMs);
    expect(await w.escalationQueue.getDelayedCount()).toBe(0);
    // a pause past the inspector's stage (2 "minutes" after the raise) in which nothing more may be sent
    await sleep(raisedAt + 2 * minuteMs + 600 - Date.now());
    expect(w.aliyun.received.map((r) => r.to)).toEqual([PHONES.officer]);
    // the lifecycle goes on: rectified with a note, then closed when the condition clears
    const rect = await w.alerts.alarms.rectify(alarm!.id, { name: '安全管理员 张安全', type: 'contact' }, '更换压力控制器，安全阀校验合格', 'sms_link');
    expect(rect?.status).toBe('rectified');
    await w.uplink.event('boiler', BOILER, 'B03', 'cleared');
    const done = await waitFor(async () => ((await w.alarms.find(alarm!.id))?.status === 'closed' ? w.alarms.find(alarm!.id) : undefined));
    expect(done).toMatchObject({ outcome: 'resolved', rectificationNote: '更换压力控制器，安全阀校验合格' });
    const audit = await w.registry.audit.forSubject('alarm', String(alarm!.id));
    expect(audit.map((e) => `${e.action}/${e.via}/${e.actor}`)).toEqual([
      'alarm.raised/automatic/system', 'alarm.acknowledged/sms_link/安全管理员 张安全', 'alarm.rectified/sms_link/安全管理员 张安全', 'alarm.closed/automatic/system',
    ]);
  });

  it('ignores invalid entries (ingest parks them) and devices the registry does not know', async () => {
    const w = await e2e.start();
    await w.uplink.raw('tw/v1/elevator/EL-0001/event', '{not json');
    await w.uplink.raw('tw/v9/elevator/EL-0001/event', '{}');
    await w.uplink.event('elevator', 'EL-UNKNOWN', '11', 'raised');
    await w.uplink.event('elevator', ELEVATOR, '05', 'raised');
    await w.aliyun.waitFor(1, 5000);
    const alarms = await w.alarms.list({});
    expect(alarms.map((a) => `${a.subjectId}/${a.type}`)).toEqual([`${ELEVATOR}/fault:05`]);
  });
});

describe('a rejected rectification goes back to the unit with a new SMS (the escalation queue contract)', () => {
  it('another process rejects through @tianwang/alerts/actions; the alerts workers send the officer one SMS per round', async () => {
    const w = await e2e.start();
    await w.uplink.event('boiler', BOILER, 'B03', 'raised');
    await w.aliyun.waitFor(1, 5000);
    const [alarm] = await w.alarms.list({ subjectId: BOILER });
    const contact = { name: '安全管理员 张安全', type: 'contact' as const };
    await w.alerts.alarms.acknowledge(alarm!.id, contact, 'sms_link');
    await w.alerts.alarms.rectify(alarm!.id, contact, '更换压力控制器', 'sms_link');

    // the dashboard's side: no SMS SDK, only the actions module and the shared queue
    const actions = createAlarmActions({ registry: w.registry, redisUrl: e2e.redisUrl, keyPrefix: w.config.prefix });
    try {
      const inspector = { name: 'user:insp1', type: 'user' as const };
      const rejected = await actions.alarms.verify(alarm!.id, inspector, 'rejected', '未见校验报告');
      expect(rejected).toMatchObject({ status: 'acknowledged', reworkCount: 1, rectifiedAt: null });
      const sms = await w.aliyun.waitFor(2, 5000);
      expect(sms[1]).toMatchObject({ to: PHONES.officer });
      expect(sms[1]!.params!.what).toContain('（整改未通过：未见校验报告，请重新整改）');
      const rows = await waitFor(async () => {
        const r = (await w.notifications.listForAlarm(alarm!.id)).filter((n) => n.stage.startsWith('rework'));
        return r.length && r[0]!.status === 'sent' ? r : undefined;
      });
      expect(rows.map((n) => n.stage)).toEqual(['rework-1']);

      // nothing to judge now: a second verdict changes nothing and sends nothing
      expect(await actions.alarms.verify(alarm!.id, inspector, 'rejected', 'again')).toBeUndefined();
      // round two: fixed again, rejected again → a second SMS (its own row), then accepted → closed
      await w.alerts.alarms.rectify(alarm!.id, contact, '补充校验报告', 'sms_link');
      await actions.alarms.verify(alarm!.id, inspector, 'rejected', '报告未盖章');
      await w.aliyun.waitFor(3, 5000);
      await w.alerts.alarms.rectify(alarm!.id, contact, '盖章报告已上传', 'sms_link');
      const closed = await actions.alarms.verify(alarm!.id, inspector, 'accepted', '');
      expect(closed).toMatchObject({ status: 'closed', outcome: 'resolved', verifiedBy: 'user:insp1', reworkCount: 2 });
      const audit = await w.registry.audit.forSubject('alarm', String(alarm!.id));
      expect(audit.map((e) => e.action).filter((a) => a.startsWith('alarm.rect') || a === 'alarm.verified')).toEqual([
        'alarm.rectified', 'alarm.rectification_rejected', 'alarm.rectified', 'alarm.rectification_rejected', 'alarm.rectified', 'alarm.verified',
      ]);
      expect(w.aliyun.received).toHaveLength(3);
    } finally {
      await actions.close();
    }
  });
});
