import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlarmService } from '@tianwang/alerts/actions';
import { freePort } from '@tianwang/core/testing';
import { openSse } from './helpers/sse.js';
import { login, startWorld, type World } from './helpers/world.js';

let w: World;
let base: string;

beforeAll(async () => {
  const port = await freePort();
  w = await startWorld({ env: { TW_HTTP_HOST: '127.0.0.1', TW_HTTP_PORT: String(port) } });
  await w.dashboard.start();
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => w?.close());

describe('live alarms over SSE', () => {
  it('sends a new alarm and its acknowledgement to the clients in scope within 2 s, never to others', async () => {
    const [east, west, maint] = await Promise.all([login(w.dashboard, 'insp1'), login(w.dashboard, 'insp2'), login(w.dashboard, 'maint1')]);
    const a = await openSse(`${base}/api/v1/live`, east.headers());
    const b = await openSse(`${base}/api/v1/live`, west.headers());
    const m = await openSse(`${base}/api/v1/live`, maint.headers());
    try {
      for (const s of [a, b, m]) await s.waitFor((e) => e.event === 'ready');
      // raised by another process's service (the alerts workers share only the database)
      const svc = createAlarmService(w.registry);
      const sent = Date.now();
      const { alarm } = (await svc.record({ action: 'raise', type: 'fault:11', severity: 'critical', title: { zh: '困人', en: 'trapped' }, at: sent }, { type: 'device', id: 'EL-2', unitId: 'U2' }, 1)) as { alarm: { id: number } };
      const got = await a.waitFor((e) => e.event === 'alarm' && (e.data as { id: number }).id === alarm.id, 5000);
      expect(got.at - sent).toBeLessThan(2000);
      expect(got.data).toMatchObject({ id: alarm.id, state: 'open', subjectId: 'EL-2', unitName: '东方医院', districtName: '东二网格' });
      await svc.acknowledge(alarm.id, { name: '安全管理员 138****0001', type: 'contact' }, 'sms_link');
      const acked = await a.waitFor((e) => e.event === 'alarm' && (e.data as { state: string }).state === 'acknowledged', 5000);
      expect(acked.data).toMatchObject({ acknowledgedBy: '安全管理员 138****0001', acknowledgedVia: 'sms_link' });
      // EL-2 is maintained by M2 in D1: a later alarm the western inspector and M1 do see proves their streams were live
      const { alarm: west3 } = (await svc.record({ action: 'raise', type: 'fault:11', severity: 'critical', title: { zh: '困人', en: 'trapped' }, at: Date.now() }, { type: 'device', id: 'EL-3', unitId: 'U3' }, 1)) as { alarm: { id: number } };
      await b.waitFor((e) => e.event === 'alarm' && (e.data as { id: number }).id === west3.id, 5000);
      await m.waitFor((e) => e.event === 'alarm' && (e.data as { id: number }).id === west3.id, 5000);
      expect(b.events.filter((e) => e.event === 'alarm' && (e.data as { id: number }).id === alarm.id)).toEqual([]);
      expect(m.events.filter((e) => e.event === 'alarm' && (e.data as { id: number }).id === alarm.id)).toEqual([]);
      expect(a.events.filter((e) => e.event === 'alarm' && (e.data as { id: number }).id === west3.id)).toEqual([]);
    } finally {
      a.close();
      b.close();
      m.close();
    }
  });
});
