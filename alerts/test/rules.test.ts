import { describe, expect, it } from 'vitest';
import { evaluateCalendar } from '../src/rules/calendar.js';
import { evaluateCamera } from '../src/rules/camera.js';
import { evaluateFault } from '../src/rules/fault-event.js';
import { RuleBook } from '../src/rules/rule-book.js';
import { silenceDeadline } from '../src/rules/silence.js';
import { THRESHOLD_RULES, evaluateThreshold, type ThresholdState } from '../src/rules/threshold.js';
import { planStages } from '../src/escalation/plan.js';
import { inRange, msUntilRangeEnd } from '../src/time/local-time.js';
import { alarmParams, digestParams, render } from '../src/notify/templates.js';
import type { Device } from '@tianwang/core/registry';
import { boilerReading, elevatorReading } from './helpers/world.js';

const book = new RuleBook();
const el = { subject: 'elevator' as const, id: 'E1', model: 'M', districtId: 'D1' };
const rule = (key: string) => THRESHOLD_RULES.find((r) => r.key === key)!;

/** Runs a series of readings through one threshold rule; returns the signals with their reading index. */
function run(key: string, subject: 'elevator' | 'boiler', rated: Device['rated'], readings: Record<string, unknown>[], book2 = book) {
  const settings = book2.settings(key, { ...el, subject })!;
  let state: ThresholdState | undefined;
  const out: string[] = [];
  readings.forEach((r, i) => {
    const res = evaluateThreshold(rule(key), r as never, rated, settings, state, 0);
    state = res.state;
    if (res.signal) out.push(`${i}:${res.signal.action}`);
  });
  return { out, state };
}

describe('threshold rules (duration and hysteresis)', () => {
  const t0 = 1_750_000_000_000;
  it('overspeed raises only after the duration and clears only below the lower band, after its duration', () => {
    const speeds = [1.0, 2.2, 2.2, 2.2, 2.0, 1.9, 1.8, 1.8, 1.8, 1.8, 1.8, 1.8];
    const { out, state } = run('overspeed', 'elevator', { ratedSpeed: 1.75 }, speeds.map((speed, i) => elevatorReading({ speed, ts: t0 + i * 1000 })));
    // 2.2 > 1.2×1.75 = 2.1 from t=1 s; raised at t=2 s (forS 1); 2.0 and 1.9 are in the band (no clear);
    // 1.8 ≤ 1.05×1.75 from t=6 s; cleared at t=11 s (clearForS 5)
    expect(out).toEqual(['2:raise', '11:clear']);
    expect(state).toBeUndefined();
  });
  it('a spike shorter than the duration raises nothing', () => {
    const { out } = run('overpressure', 'boiler', { ratedPressure: 1.25 }, [1.2, 1.3, 1.3, 1.2, 1.3].map((pressure, i) => boilerReading({ pressure, ts: t0 + i * 4000 })));
    expect(out).toEqual([]);
  });
  it('boiler: low water, flame failure, overtemperature, flue temperature fire after their durations', () => {
    expect(run('low_water', 'boiler', {}, [0, -60, -60, -60, -40, -20, -20, -20].map((waterLevel, i) => boilerReading({ waterLevel, ts: t0 + i * 5000 }))).out).toEqual(['2:raise', '7:clear']);
    expect(run('high_water', 'boiler', {}, [60, 60, 40, 20, 20, 20].map((waterLevel, i) => boilerReading({ waterLevel, ts: t0 + i * 5000 }))).out).toEqual(['1:raise', '5:clear']);
    expect(run('flame_failure', 'boiler', {}, [true, false, false, false, true].map((flame, i) => boilerReading({ flame, ts: t0 + i * 5000 }))).out).toEqual(['3:raise', '4:clear']);
    expect(run('overtemperature', 'boiler', {}, [210, 210, 210, 185, 185, 185].map((steamTemp, i) => boilerReading({ steamTemp, ts: t0 + i * 5000 }))).out).toEqual(['2:raise', '5:clear']);
    expect(run('high_flue_temp', 'boiler', {}, [300, 300, 300].map((flueTemp, i) => boilerReading({ flueTemp, ts: t0 + i * 30_000 }))).out).toEqual(['2:raise']);
  });
  it('door held open: 120 s', () => {
    const doors = ['open', 'open', 'open', 'closed'];
    expect(run('door_held_open', 'elevator', {}, doors.map((door, i) => elevatorReading({ door, ts: t0 + i * 60_000 }))).out).toEqual(['2:raise', '3:clear']);
  });
  it('an older reading processed late does not move the state backwards', () => {
    const s = book.settings('overspeed', el)!;
    const a = evaluateThreshold(rule('overspeed'), elevatorReading({ speed: 2.5, ts: t0 + 5000 }) as never, { ratedSpeed: 1.75 }, s, undefined, 0);
    const b = evaluateThreshold(rule('overspeed'), elevatorReading({ speed: 0, ts: t0 }) as never, { ratedSpeed: 1.75 }, s, a.state, 0);
    expect(b.state).toEqual(a.state);
  });
  it('not applicable without the rated value', () => {
    expect(run('overspeed', 'elevator', {}, [elevatorReading({ speed: 9, ts: t0 }), elevatorReading({ speed: 9, ts: t0 + 5000 })]).out).toEqual([]);
  });
});

describe('rule book overrides', () => {
  const tuned = new RuleBook({
    version: 3,
    overrides: [
      { scope: 'all', id: '', rule: 'overspeed', params: { forS: 0 } },
      { scope: 'district', id: 'D1', rule: 'overspeed', params: { ratio: 1.4 } },
      { scope: 'model', id: 'M', rule: 'overspeed', severity: 'major' },
      { scope: 'device', id: 'E2', rule: 'overspeed', enabled: false },
      { scope: 'device', id: 'E1', rule: 'fault:15', enabled: false },
    ],
  });
  it('applies all < district < model < device and keeps untouched params', () => {
    expect(tuned.version).toBe(3);
    expect(tuned.settings('overspeed', el)).toEqual({ enabled: true, severity: 'major', params: { ratio: 1.4, clearRatio: 1.05, forS: 0, clearForS: 5 } });
    expect(tuned.settings('overspeed', { ...el, id: 'E2' })!.enabled).toBe(false);
    expect(tuned.settings('overspeed', { ...el, districtId: 'D2', model: 'X' })).toEqual({ enabled: true, severity: 'critical', params: { ratio: 1.2, clearRatio: 1.05, forS: 0, clearForS: 5 } });
    expect(tuned.settings('overspeed', { subject: 'boiler', id: 'B' })).toBeUndefined();
  });
  it('a disabled fault rule raises nothing; unknown rule keys are refused', () => {
    expect(evaluateFault('elevator', { ts: 1, code: '15', state: 'raised' }, tuned.settings('fault:15', el), 1)).toBeUndefined();
    expect(evaluateFault('elevator', { ts: 1, code: '11', state: 'raised' }, tuned.settings('fault:11', el), 1)).toMatchObject({ action: 'raise', type: 'fault:11', severity: 'critical' });
    expect(() => new RuleBook({ version: 1, overrides: [{ scope: 'all', id: '', rule: 'nope' }] })).toThrow(/unknown rule "nope"/);
  });
});

describe('calendar, camera, silence', () => {
  const device = (o: Partial<Device>): Device => ({
    id: 'E1', kind: 'elevator', registrationCode: '1'.repeat(20), name: 'e', location: '', unitId: 'U1', maintenanceCompanyId: null, model: '', rated: {},
    telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null, enabled: true, ...o,
  });
  const s = (d: Device) => (key: string) => book.settings(key, { subject: d.kind, id: d.id });
  it('maintenance older than 15 days; inspection expiring within 30 days; expired', () => {
    const d1 = device({ lastMaintenanceOn: '2025-06-01', inspectionValidUntil: '2025-07-10' });
    expect(evaluateCalendar(d1, '2025-06-17', s(d1), 0).map((x) => `${x.type}:${x.action}`)).toEqual(['maintenance_overdue:raise', 'inspection_expired:clear', 'inspection_expiring:raise']);
    expect(evaluateCalendar(d1, '2025-06-16', s(d1), 0)[0]!.action).toBe('clear');
    expect(evaluateCalendar(d1, '2025-07-11', s(d1), 0).map((x) => `${x.type}:${x.action}`)).toEqual(['maintenance_overdue:raise', 'inspection_expired:raise', 'inspection_expiring:clear']);
    expect(evaluateCalendar(device({}), '2025-07-11', s(device({})), 0)).toEqual([]);
    // boilers have no 15-day maintenance rule
    const b = device({ kind: 'boiler', lastMaintenanceOn: '2020-01-01' });
    expect(evaluateCalendar(b, '2025-07-11', s(b), 0)).toEqual([]);
  });
  it('camera offline counts only within business hours; ok clears every camera alarm', () => {
    const cs = (key: string) => book.settings(key, { subject: 'camera', id: 'C' });
    const e = { camera: 'C', kitchen: 'K', state: 'offline' as const, ts: 0 };
    expect(evaluateCamera(e, '09:00-22:00', 10 * 60, cs, 0).map((x) => `${x.type}:${x.action}`)).toEqual(['camera_offline:raise']);
    expect(evaluateCamera(e, '09:00-22:00', 23 * 60, cs, 0)).toEqual([]);
    expect(evaluateCamera({ ...e, state: 'ok' }, '09:00-22:00', 10 * 60, cs, 0).map((x) => x.action)).toEqual(['clear', 'clear', 'clear']);
  });
  it('silence deadline is a multiple of the interval, never below minS', () => {
    const ss = book.settings('silence', el)!;
    expect(silenceDeadline(1000, 10, ss, 3)).toBe(1000 + 30_000);
    expect(silenceDeadline(1000, 1, ss, 3)).toBe(1000 + 30_000);
    expect(silenceDeadline(1000, 60, ss, 3)).toBe(1000 + 180_000);
  });
});

describe('escalation plan, quiet hours, texts', () => {
  const m = { principal: 15, inspector: 60 };
  it('stages per severity; trapped passengers add the maintenance company at once', () => {
    expect(planStages({ severity: 'critical', type: 'fault:11', subjectType: 'device' }, m)).toEqual([
      { stage: 'officer', afterMin: 0 }, { stage: 'maintenance', afterMin: 0 }, { stage: 'principal', afterMin: 15 }, { stage: 'inspector', afterMin: 60 },
    ]);
    expect(planStages({ severity: 'minor', type: 'x', subjectType: 'device' }, m).map((s) => s.stage)).toEqual(['officer', 'principal']);
    expect(planStages({ severity: 'warning', type: 'x', subjectType: 'device' }, m).map((s) => s.stage)).toEqual(['officer']);
    expect(planStages({ severity: 'major', type: 'camera_offline', subjectType: 'camera' }, m).map((s) => s.stage)).toEqual(['contact', 'inspector']);
  });
  it('quiet hours wrap midnight', () => {
    expect(inRange('22:00-08:00', 23 * 60)).toBe(true);
    expect(inRange('22:00-08:00', 7 * 60 + 59)).toBe(true);
    expect(inRange('22:00-08:00', 8 * 60)).toBe(false);
    // 23:30 Shanghai = 15:30 UTC; quiet until 08:00 = 8.5 h
    expect(msUntilRangeEnd('22:00-08:00', 'Asia/Shanghai', new Date('2025-06-01T15:30:00Z'))).toBe(8.5 * 3_600_000);
    expect(msUntilRangeEnd('22:00-08:00', 'Asia/Shanghai', new Date('2025-06-01T04:00:00Z'))).toBe(0);
  });
  it('renders short zh-CN and English texts', () => {
    const p = alarmParams({ unit: '阳光花园物业', deviceName: '3号楼1号梯', registrationCode: '31104403002019001234', location: '3号楼东侧', what: '困人', time: '06-01 10:32', link: 'http://tw.test/a/Ab3dE9kQxy' }, 'zh-CN');
    expect(render('alarm', 'zh-CN', p, '天网提醒')).toBe('【天网提醒】阳光花园物业：3号楼1号梯（注册代码31104403002019001234，3号楼东侧）于06-01 10:32发生“困人”，请立即处置。确认及反馈整改：http://tw.test/a/Ab3dE9kQxy');
    const en = alarmParams({ unit: 'Sunshine Garden', deviceName: 'Lift 1', registrationCode: '31104403002019001234', location: 'Bldg 3', what: 'trapped passengers', time: '06-01 10:32', link: 'http://tw.test/a/x' }, 'en');
    expect(render('alarm', 'en', en, '天网提醒')).toBe('[Tianwang] Sunshine Garden: Lift 1 (reg. 31104403002019001234, Bldg 3) - trapped passengers at 06-01 10:32. Please act now. Acknowledge / report the fix: http://tw.test/a/x');
    const d = digestParams([{ device: '1号梯困人', what: '', unit: '阳光花园物业' }, { device: '2号梯停电', what: '', unit: '阳光花园物业' }], 'http://tw.test/a/y', 'zh-CN');
    expect(render('digest', 'zh-CN', d, '天网提醒')).toBe('【天网提醒】阳光花园物业：您有2条隐患提醒：1.1号梯困人；2.2号梯停电。请逐条处置并确认：http://tw.test/a/y');
    // an inspector's digest spans units: the first by name and how many there are
    const many = digestParams([{ device: '1号梯困人', what: '', unit: '阳光花园物业' }, { device: '锅炉缺水', what: '', unit: '人民医院' }], 'http://tw.test/a/z', 'en');
    expect(render('digest', 'en', many, '天网提醒')).toBe('[Tianwang] 阳光花园物业 and 1 more: 2 hazard reminders: 1.1号梯困人; 2.锅炉缺水. Please act and acknowledge: http://tw.test/a/z');
    const none = digestParams([{ device: 'a', what: '' }, { device: 'b', what: '' }], 'http://tw.test/a/q', 'zh-CN');
    expect(none.unit).toBe('设备隐患');
  });
});
