import { describe, expect, it } from 'vitest';
import { QUEUES, RuleBook } from '../src/index.js';
import { Queue } from 'bullmq';
import { alertsKeys } from '../src/keys.js';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { sleep, waitFor } from '@tianwang/core/testing';
import { worldPerTest, type World } from './helpers/harness.js';
import { BOILER, CAMERA, ELEVATOR, PHONES, boilerReading, elevatorReading } from './helpers/world.js';

// one Redis for the file, a fresh world per test (closed when it ends)
const e2e = worldPerTest();

const activeOf = async (w: World, subject: string, type: string) => (await w.alarms.list({ subjectId: subject })).filter((a) => a.type === type);

describe('every rule kind fires once and clears', () => {
  it('threshold with duration and hysteresis: overspeed and low water', async () => {
    const w = await e2e.start();
    const t0 = Date.now() - 60_000;
    // overspeed: 2.5 m/s > 1.2 × 1.75 for ≥ 1 s (three readings), then in the band, then below 1.05 × rated for 5 s
    const speeds = [2.5, 2.5, 2.5, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    for (const [i, speed] of speeds.entries()) await w.uplink.telemetry('elevator', ELEVATOR, elevatorReading({ speed, ts: t0 + i * 1000, direction: 'up' }));
    const levels = [0, -80, -80, -80, -80, -80, -80, -10, -10, -10, -10, -10, -10, -10, -10];
    for (const [i, waterLevel] of levels.entries()) await w.uplink.telemetry('boiler', BOILER, boilerReading({ waterLevel, ts: t0 + i * 2000 }));
    const overspeed = await waitFor(async () => {
      const [a] = await activeOf(w, ELEVATOR, 'overspeed');
      return a?.status === 'closed' ? a : undefined;
    });
    expect(overspeed).toMatchObject({ count: 1, outcome: 'auto_cleared', severity: 'critical' });
    expect(overspeed.detail).toMatchObject({ limit: 2.1 });
    const low = await waitFor(async () => {
      const [a] = await activeOf(w, BOILER, 'low_water');
      return a?.status === 'closed' ? a : undefined;
    });
    // raised after 5 s below -50 mm; cleared after 10 s at or above -30 mm
    expect(low).toMatchObject({ count: 1, outcome: 'auto_cleared', severity: 'critical' });
    await w.aliyun.waitFor(2, 5000, (r) => r.to === PHONES.officer);
    expect((await w.alarms.list({})).length).toBe(2);
  });

  it('batch entries: the messages of one stream entry (several devices, interleaved) are all judged, in order', async () => {
    const w = await e2e.start();
    const t0 = Date.now() - 60_000;
    const speeds = [2.5, 2.5, 2.5, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
    const levels = [0, -80, -80, -80, -80, -80, -80, -10, -10, -10, -10, -10, -10, -10, -10];
    const list = [
      ...speeds.map((speed, i) => ({ kind: 'elevator' as const, id: ELEVATOR, reading: elevatorReading({ speed, ts: t0 + i * 1000, direction: 'up' }), at: i * 1000 })),
      ...levels.map((waterLevel, i) => ({ kind: 'boiler' as const, id: BOILER, reading: boilerReading({ waterLevel, ts: t0 + i * 2000 }), at: i * 2000 })),
    ].sort((a, b) => a.at - b.at);
    // the first 14 messages in one entry, the rest in a second one
    await w.uplink.batch(list.slice(0, 14));
    await w.uplink.batch(list.slice(14));
    for (const [subject, type] of [[ELEVATOR, 'overspeed'], [BOILER, 'low_water']] as const) {
      const a = await waitFor(async () => {
        const [x] = await activeOf(w, subject, type);
        return x?.status === 'closed' ? x : undefined;
      }, { timeoutMs: 10_000, what: type });
      expect(a).toMatchObject({ count: 1, outcome: 'auto_cleared', severity: 'critical' });
    }
    expect((await w.alarms.list({})).length).toBe(2);
  });

  it('hysteresis keeps low water active until the level recovered for clearForS', async () => {
    const w = await e2e.start();
    const t0 = Date.now() - 60_000;
    for (const [i, waterLevel] of [-80, -80, -80, -80, -10, -10].entries()) await w.uplink.telemetry('boiler', BOILER, boilerReading({ waterLevel, ts: t0 + i * 2000 }));
    const [a] = await waitFor(async () => ((await activeOf(w, BOILER, 'low_water')).length ? activeOf(w, BOILER, 'low_water') : undefined));
    await sleep(500);
    expect((await w.alarms.find(a!.id))!.status).toBe('open');
    for (const [i, waterLevel] of [-10, -10, -10, -10, -10].entries()) await w.uplink.telemetry('boiler', BOILER, boilerReading({ waterLevel, ts: t0 + 12_000 + i * 2000 }));
    await waitFor(async () => (await w.alarms.find(a!.id))?.status === 'closed');
  });

  it('a duration in progress survives a worker restart (state in Redis)', async () => {
    const w = await e2e.start();
    const t0 = Date.now() - 60_000;
    // 4 s of 1.5 MPa on a 1.25 MPa boiler: pending (forS 10)
    for (let i = 0; i < 3; i++) await w.uplink.telemetry('boiler', BOILER, boilerReading({ pressure: 1.5, ts: t0 + i * 2000 }));
    await waitFor(async () => (await w.redis.hget(`${w.config.prefix}:alerts:state:${BOILER}`, 'overpressure'))?.includes('pending'));
    await w.alerts.stop();
    await w.worker();
    // 6 s more: the new worker continues the same duration and raises at t0 + 10 s
    for (let i = 3; i < 6; i++) await w.uplink.telemetry('boiler', BOILER, boilerReading({ pressure: 1.5, ts: t0 + i * 2000 }));
    const [a] = await waitFor(async () => ((await activeOf(w, BOILER, 'overpressure')).length ? activeOf(w, BOILER, 'overpressure') : undefined));
    expect(a).toMatchObject({ status: 'open', count: 1, severity: 'critical' });
    expect(a!.detail).toMatchObject({ value: 1.5, limit: 1.27 });
  });

  it('silence: raised after the multiple of the interval, cleared by the next message; the watch survives a worker restart', async () => {
    const rules = new RuleBook({ version: 2, overrides: [{ scope: 'all', id: '', rule: 'silence', params: { minS: 0 } }] });
    const w = await e2e.start({ rules, env: { TW_SILENCE_MULTIPLE: '2' } });
    await w.uplink.status('elevator', ELEVATOR, 'online');
    await deadlineSet(w);
    // the worker stops; the deadline lives in Redis; a new worker raises the alarm
    await w.alerts.stop();
    await w.worker();
    const [a] = await waitFor(async () => ((await activeOf(w, ELEVATOR, 'silence')).length ? activeOf(w, ELEVATOR, 'silence') : undefined), { timeoutMs: 6000 });
    expect(a).toMatchObject({ status: 'open', count: 1, ruleVersion: 2, severity: 'major' });
    await sleep(500);
    expect((await w.alarms.find(a!.id))!.count).toBe(1);
    await w.uplink.telemetry('elevator', ELEVATOR, elevatorReading());
    const closed = await waitFor(async () => ((await w.alarms.find(a!.id))?.status === 'closed' ? w.alarms.find(a!.id) : undefined));
    expect(closed!.outcome).toBe('auto_cleared');
  });

  it('silence: after a restart, devices get a grace period before they are judged (no page storm), then are judged', async () => {
    const rules = new RuleBook({ version: 2, overrides: [{ scope: 'all', id: '', rule: 'silence', params: { minS: 0 } }] });
    const w = await e2e.start({ rules, env: { TW_SILENCE_MULTIPLE: '2' }, tuning: { silenceGraceMs: 3000 } });
    await w.uplink.status('elevator', ELEVATOR, 'online');
    await deadlineSet(w);
    await w.alerts.stop();
    await sleep(3000); // the deadline passes while no worker runs (the whole platform was down)
    const restartedAt = Date.now();
    await w.worker();
    await sleep(1500);
    expect(await activeOf(w, ELEVATOR, 'silence')).toHaveLength(0);
    await waitFor(async () => ((await activeOf(w, ELEVATOR, 'silence')).length ? true : undefined), { timeoutMs: 8000 });
    expect(Date.now() - restartedAt).toBeGreaterThanOrEqual(2900);
  });

  it('silence: judged by how far the stream was handled, so a group behind (entries pending) calls no reporting device silent', async () => {
    const rules = new RuleBook({ version: 2, overrides: [{ scope: 'all', id: '', rule: 'silence', params: { minS: 0 } }] });
    // silent after 2 × 1 s; a dead consumer's entries are taken over after 4 s
    const w = await e2e.start({ rules, env: { TW_SILENCE_MULTIPLE: '2' }, tuning: { claimIdleMs: 4000 } });
    await w.uplink.status('elevator', ELEVATOR, 'online');
    await deadlineSet(w);
    await w.alerts.stop();
    // the device reports every 400 ms throughout; while no worker runs, a consumer that then hangs reads its
    // messages (delivered, never acknowledged: pending until another worker claims them)
    const { uplink } = pipelineKeys(w.config.prefix);
    const stuck = async () => {
      await w.uplink.telemetry('elevator', ELEVATOR, elevatorReading());
      await w.redis.xreadgroup('GROUP', CONSUMER_GROUPS.alerts, 'hung-worker', 'COUNT', 100, 'STREAMS', uplink, '>');
    };
    const until = Date.now() + 2600;
    while (Date.now() < until) {
      await stuck();
      await sleep(400);
    }
    expect(Number((await w.redis.xpending(uplink, CONSUMER_GROUPS.alerts))[0])).toBeGreaterThan(4);
    // the first deadline has passed by the clock; a new worker must not call the device silent
    const reporting = setInterval(() => void w.uplink.telemetry('elevator', ELEVATOR, elevatorReading()), 400);
    try {
      await w.worker();
      // through the takeover of the hung consumer's entries (after 4 s idle) and past it
      await waitFor(async () => Number((await w.redis.xpending(uplink, CONSUMER_GROUPS.alerts))[0]) === 0, { timeoutMs: 15_000, what: 'the hung entries to be taken over' });
      await sleep(1000);
      expect(await activeOf(w, ELEVATOR, 'silence')).toHaveLength(0);
    } finally {
      clearInterval(reporting);
    }
    // and a device that really stops is still found silent
    await waitFor(async () => ((await activeOf(w, ELEVATOR, 'silence')).length ? true : undefined), { timeoutMs: 8000 });
  });

  it('calendar: maintenance overdue and inspection expiring, on a schedule; cleared when maintenance is recorded', async () => {
    const old = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const w = await e2e.start({ seed: { lastMaintenanceOn: old, inspectionValidUntil: soon }, tuning: { calendarEveryMs: 500 } });
    const q = new Queue(QUEUES.calendar, { connection: w.redis, prefix: alertsKeys(w.config.prefix).bullPrefix });
    expect((await q.getJobSchedulers()).map((s) => s.key)).toEqual(['calendar']);
    await q.close();
    const types = await waitFor(async () => {
      const t = (await w.alarms.list({ subjectId: ELEVATOR, activeOnly: true })).map((a) => a.type).sort();
      return t.length === 2 ? t : undefined;
    });
    expect(types).toEqual(['inspection_expiring', 'maintenance_overdue']);
    await sleep(1200);
    // runs again without duplicates or count inflation
    expect((await w.alarms.list({ subjectId: ELEVATOR })).map((a) => a.count)).toEqual([1, 1]);
    await w.registry.devices.recordMaintenance(ELEVATOR, new Date().toISOString().slice(0, 10));
    await waitFor(async () => (await w.alarms.list({ subjectId: ELEVATOR, activeOnly: true })).map((a) => a.type).join() === 'inspection_expiring');
    const [m] = await activeOf(w, ELEVATOR, 'maintenance_overdue');
    expect(m).toMatchObject({ status: 'closed', outcome: 'auto_cleared' });
  });

  it('camera offline in business hours: the kitchen contact is told; ok clears it', async () => {
    const w = await e2e.start();
    await w.uplink.camera(CAMERA, 'K1', 'offline', 'no publisher for 60 s');
    const [sms] = await w.aliyun.waitFor(1, 5000);
    expect(sms).toMatchObject({ to: PHONES.kitchen, params: { unit: '老王面馆', what: '明厨亮灶摄像头离线' } });
    const [a] = await w.alarms.list({ subjectId: CAMERA });
    expect(a).toMatchObject({ subjectType: 'camera', kitchenId: 'K1', unitId: null, status: 'open' });
    await w.uplink.camera(CAMERA, 'K1', 'ok');
    await waitFor(async () => (await w.alarms.find(a!.id))?.status === 'closed');
  });

  it('camera offline outside business hours raises nothing', async () => {
    const now = new Date();
    // a one-minute window twelve hours away in Shanghai time
    const h = (Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', hourCycle: 'h23' }).format(now)) + 12) % 24;
    const hh = String(h).padStart(2, '0');
    const w = await e2e.start({ seed: { businessHours: `${hh}:00-${hh}:01` } });
    await w.uplink.camera(CAMERA, 'K1', 'offline');
    await w.uplink.event('elevator', ELEVATOR, '04', 'raised');
    await w.aliyun.waitFor(1, 5000);
    expect((await w.alarms.list({})).map((a) => a.type)).toEqual(['fault:04']);
  });
});

/** The worker read the status entry: the device's silence deadline is in Redis. */
async function deadlineSet(world: World): Promise<void> {
  const key = alertsKeys(world.config.prefix).silenceDeadlines;
  await waitFor(async () => (await world.redis.zscore(key, ELEVATOR)) !== null, { what: 'the silence deadline to be set' });
}
