import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { createAlarmActions } from '../src/actions.js';
import { startWorld, type World } from './helpers/harness.js';
import { BOILER, PHONES, until } from './helpers/world.js';

let redis: RedisServer;
let w: World | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await w?.close();
  w = undefined;
});
afterAll(async () => redis?.stop());

describe('a rejected rectification goes back to the unit with a new SMS (the escalation queue contract)', () => {
  it('another process rejects through @tianwang/alerts/actions; the alerts workers send the officer one SMS per round', async () => {
    w = await startWorld(redis.url);
    await w.uplink.event('boiler', BOILER, 'B03', 'raised');
    await w.aliyun.waitFor(1, 5000);
    const [alarm] = await w.alarms.list({ subjectId: BOILER });
    const contact = { name: '安全管理员 张安全', type: 'contact' as const };
    await w.alerts.alarms.acknowledge(alarm!.id, contact, 'sms_link');
    await w.alerts.alarms.rectify(alarm!.id, contact, '更换压力控制器', 'sms_link');

    // the dashboard's side: no SMS SDK, only the actions module and the shared queue
    const actions = createAlarmActions({ registry: w.registry, redisUrl: redis.url, keyPrefix: w.config.prefix });
    try {
      const inspector = { name: 'user:insp1', type: 'user' as const };
      const rejected = await actions.alarms.verify(alarm!.id, inspector, 'rejected', '未见校验报告');
      expect(rejected).toMatchObject({ status: 'acknowledged', reworkCount: 1, rectifiedAt: null });
      const sms = await w.aliyun.waitFor(2, 5000);
      expect(sms[1]).toMatchObject({ to: PHONES.officer });
      expect(sms[1]!.params!.what).toContain('（整改未通过：未见校验报告，请重新整改）');
      const rows = await until(async () => {
        const r = (await w!.notifications.listForAlarm(alarm!.id)).filter((n) => n.stage.startsWith('rework'));
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
