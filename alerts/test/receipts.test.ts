import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@tianwang/core/log';
import { notificationQueries, openRegistry, type Registry } from '@tianwang/core/registry';
import { createAliyunProvider } from '../src/notify/providers/aliyun.js';
import { pollReceipts } from '../src/notify/receipts.js';
import { startFakeAliyun, type FakeAliyun } from '../src/testing/index.js';

let fake: FakeAliyun;
let registry: Registry;

beforeAll(async () => {
  fake = await startFakeAliyun();
  registry = await openRegistry();
  await registry.districts.upsert({ id: 'D1', name: '示范区', kind: 'district', parentId: null });
  await registry.units.upsert({ id: 'U1', creditCode: '91310000MA1FL0AB2C', name: '阳光花园物业', address: '', districtId: 'D1', safetyOfficerName: '张', safetyOfficerPhone: '+8613800000001', principalName: '李', principalPhone: '+8613800000002' });
});
afterAll(async () => {
  await fake?.close();
  await registry?.close();
});

const templates = { alarm: { 'zh-CN': 'SMS_ALARM', en: 'SMS_ALARM_EN' }, digest: { 'zh-CN': 'SMS_DIGEST', en: 'SMS_DIGEST_EN' }, summary: { 'zh-CN': 'SMS_SUMMARY', en: 'SMS_SUMMARY_EN' } };

describe('Aliyun delivery receipts (QuerySendDetails)', () => {
  it('the SDK query against the local endpoint reads waiting, delivered and failed', async () => {
    const p = createAliyunProvider({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, endpoint: fake.url, signName: '天网提醒', templates });
    const send = (to: string) => p.send({ to, template: 'alarm', locale: 'zh-CN', params: { unit: 'u' }, text: 'x' } as Parameters<typeof p.send>[0]);
    const a = await send('+8613800000011');
    const b = await send('+8613800000012');
    const sentAt = new Date();
    expect(await p.receipt!({ messageId: a.messageId, to: '+8613800000011', sentAt })).toEqual({ state: 'pending' });
    fake.setReceipt(a.messageId, 3);
    fake.setReceipt(b.messageId, 2, 'MOBILE_NOT_ON_SERVICE');
    expect(await p.receipt!({ messageId: a.messageId, to: '+8613800000011', sentAt })).toMatchObject({ state: 'delivered' });
    expect(await p.receipt!({ messageId: b.messageId, to: '+8613800000012', sentAt })).toMatchObject({ state: 'failed', error: 'MOBILE_NOT_ON_SERVICE' });
    // a wrong key is refused by the endpoint's signature check: the query fails, it does not read as pending
    const wrong = createAliyunProvider({ accessKeyId: fake.accessKeyId, accessKeySecret: 'wrong-secret', endpoint: fake.url, signName: '天网提醒', templates });
    await expect(wrong.receipt!({ messageId: a.messageId, to: '+8613800000011', sentAt })).rejects.toThrow(/SignatureDoesNotMatch|aliyun/);
  });

  it('pollReceipts moves sent rows to delivered or failed and leaves waiting ones sent', async () => {
    const p = createAliyunProvider({ accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, endpoint: fake.url, signName: '天网提醒', templates });
    const q = notificationQueries(registry.db);
    const { alarm } = await (await import('@tianwang/core/registry')).alarmQueries(registry.db).raise({ subjectType: 'device', subjectId: 'X-1', type: 'fault:11', severity: 'critical', title: 't', at: new Date() });
    const rows: number[] = [];
    for (const phone of ['+8613800000021', '+8613800000022', '+8613800000023']) {
      const id = (await q.createOnce({ alarmId: alarm.id, stage: `s${phone}`, recipientName: 'n', recipientPhone: phone, template: 'alarm', params: {}, body: '', locale: 'zh-CN' }))!;
      await q.claim([id]);
      const sent = await p.send({ to: phone, template: 'alarm', locale: 'zh-CN', params: {}, text: '' } as Parameters<typeof p.send>[0]);
      await q.markSent(id, 'aliyun', sent.messageId, '');
      rows.push(id);
    }
    const ids = await Promise.all(rows.map((id) => q.get(id)));
    fake.setReceipt(ids[0]!.providerMessageId!, 3);
    fake.setReceipt(ids[1]!.providerMessageId!, 2, 'IS_CLOSE');
    expect(await pollReceipts(registry, [p], silentLogger())).toBe(2);
    const after = await Promise.all(rows.map((id) => q.get(id)));
    expect(after.map((n) => n.status)).toEqual(['delivered', 'failed', 'sent']);
    expect(after[0]!.deliveredAt).toBeInstanceOf(Date);
    expect(after[1]!.receiptError).toBe('IS_CLOSE');
    // a late receipt never undoes one already applied
    fake.setReceipt(ids[0]!.providerMessageId!, 2, 'LATE');
    expect(await pollReceipts(registry, [p], silentLogger())).toBe(0);
    expect((await q.get(rows[0]!)).status).toBe('delivered');
  });
});
