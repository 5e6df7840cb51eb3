import { describe, expect, it } from 'vitest';
import {
  BOILER_CODES,
  BOILER_FAULT_CODES,
  DEVICE_KINDS,
  ELEVATOR_CODES,
  ELEVATOR_FAULT_CODES,
  MAX_PAYLOAD_BYTES,
  SERVICE_MODES,
  faultCodeInfo,
  parsePayload,
  type DeviceKind,
  type ParsedPayload,
} from '@tianwang/core/schemas';

const TS = Date.UTC(2025, 5, 1, 8, 30);

const elevatorReading = {
  ts: TS,
  seq: 17,
  floor: 12,
  direction: 'up',
  speed: 1.75,
  door: 'closed',
  doorZone: false,
  passenger: true,
  mode: 1,
  power: 'mains',
  runCount: 120_345,
  runHours: 8123.5,
  load: 45,
};

const boilerReading = {
  ts: TS,
  pressure: 0.85,
  waterLevel: -12,
  steamTemp: 174.5,
  flueTemp: 160,
  feedWaterTemp: 60,
  burner: 'running',
  flame: true,
  fan: true,
  feedPump: false,
  fuelPressure: 12.5,
  operatorOnDuty: true,
};

const readings: Record<DeviceKind, Record<string, unknown>> = { elevator: elevatorReading, boiler: boilerReading };

function refused(result: ParsedPayload): { reason: string; message: string } {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.value)}`);
  return result;
}

const json = (v: unknown) => JSON.stringify(v);

describe('fault codes', () => {
  it('are unique across kinds and described in both languages', () => {
    const all = [...ELEVATOR_CODES, ...BOILER_CODES];
    expect(new Set(all).size).toBe(all.length);
    const keys = [...Object.values(ELEVATOR_FAULT_CODES), ...Object.values(BOILER_FAULT_CODES)].map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const code of ELEVATOR_CODES) expect(code).toMatch(/^\d\d$/);
    for (const code of BOILER_CODES) expect(code).toMatch(/^B\d\d$/);
  });

  it('faultCodeInfo tells the kind and names', () => {
    expect(faultCodeInfo('11')).toEqual({ code: '11', kind: 'elevator', key: 'trapped', zh: '困人', en: 'trapped passengers' });
    expect(faultCodeInfo('B01')).toMatchObject({ code: 'B01', kind: 'boiler', key: 'low_water' });
    expect(faultCodeInfo('99')).toBeUndefined();
    expect(faultCodeInfo('toString')).toBeUndefined();
  });

  it('service modes cover the telemetry mode range', () => {
    expect(Object.keys(SERVICE_MODES).map(Number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
});

describe('telemetry', () => {
  it.each(DEVICE_KINDS)('accepts a valid %s reading, as string or Buffer', (kind) => {
    for (const payload of [json(readings[kind]), Buffer.from(json(readings[kind]))]) {
      const result = parsePayload(kind, 'telemetry', payload);
      // the text comes back too: it holds exactly the value, so a store can keep it instead of stringifying
      expect(result).toEqual({ ok: true, channel: 'telemetry', value: readings[kind], text: json(readings[kind]) });
    }
  });

  it('optional fields may be left out', () => {
    const { seq: _seq, ...noSeq } = elevatorReading;
    expect(parsePayload('elevator', 'telemetry', json(noSeq)).ok).toBe(true);
    const { operatorOnDuty: _op, ...noOperator } = boilerReading;
    expect(parsePayload('boiler', 'telemetry', json(noOperator)).ok).toBe(true);
  });

  it('accepts the edges of every range', () => {
    const edges = { ...elevatorReading, floor: -10, speed: 0, mode: 6, load: 200, runCount: 0, ts: 1_577_836_800_000 };
    expect(parsePayload('elevator', 'telemetry', json(edges)).ok).toBe(true);
    const boilerEdges = { ...boilerReading, pressure: -0.1, waterLevel: 500, flueTemp: 1200, fuelPressure: 0 };
    expect(parsePayload('boiler', 'telemetry', json(boilerEdges)).ok).toBe(true);
  });

  it('drops unknown fields instead of passing them on', () => {
    const result = parsePayload('elevator', 'telemetry', json({ ...elevatorReading, vendorX: 1, __proto__junk: 'x' }));
    expect(result.ok && result.value).not.toHaveProperty('vendorX');
    expect(result.ok && result.value).toEqual(elevatorReading);
    // the text still holds the dropped fields, so it is not offered
    expect(result.ok && result.channel === 'telemetry' && result.text).toBe(undefined);
  });

  it.each([
    ['elevator', { floor: '12' }, 'floor'],
    ['elevator', { speed: null }, 'speed'],
    ['elevator', { doorZone: 'false' }, 'doorZone'],
    ['elevator', { direction: 'sideways' }, 'direction'],
    ['elevator', { door: 1 }, 'door'],
    ['elevator', { mode: 1.5 }, 'mode'],
    ['elevator', { power: 'solar' }, 'power'],
    ['elevator', { seq: -1 }, 'seq'],
    ['boiler', { flame: 1 }, 'flame'],
    ['boiler', { burner: 'on' }, 'burner'],
    ['boiler', { pressure: '0.8' }, 'pressure'],
    ['boiler', { operatorOnDuty: 'yes' }, 'operatorOnDuty'],
  ] as [DeviceKind, Record<string, unknown>, string][])('%s: wrong type %j is refused naming the field', (kind, patch, field) => {
    const r = refused(parsePayload(kind, 'telemetry', json({ ...readings[kind], ...patch })));
    expect(r.reason).toBe('schema');
    expect(r.message.startsWith(`${field}: `)).toBe(true);
  });

  it.each([
    ['elevator', { floor: 251 }, 'floor'],
    ['elevator', { floor: -11 }, 'floor'],
    ['elevator', { speed: 25.01 }, 'speed'],
    ['elevator', { speed: -0.1 }, 'speed'],
    ['elevator', { mode: 7 }, 'mode'],
    ['elevator', { load: 201 }, 'load'],
    ['elevator', { runHours: -1 }, 'runHours'],
    ['elevator', { ts: 1_500_000_000_000 }, 'ts'],
    ['elevator', { ts: 4_200_000_000_000 }, 'ts'],
    ['elevator', { ts: TS + 0.5 }, 'ts'],
    ['elevator', { ts: Math.floor(TS / 1000) }, 'ts'],
    ['boiler', { pressure: 31 }, 'pressure'],
    ['boiler', { pressure: -0.2 }, 'pressure'],
    ['boiler', { waterLevel: -501 }, 'waterLevel'],
    ['boiler', { steamTemp: 651 }, 'steamTemp'],
    ['boiler', { flueTemp: 1201 }, 'flueTemp'],
    ['boiler', { feedWaterTemp: -41 }, 'feedWaterTemp'],
    ['boiler', { fuelPressure: 1001 }, 'fuelPressure'],
  ] as [DeviceKind, Record<string, unknown>, string][])('%s: out of range %j is refused naming the field', (kind, patch, field) => {
    const r = refused(parsePayload(kind, 'telemetry', json({ ...readings[kind], ...patch })));
    expect(r.reason).toBe('schema');
    expect(r.message.startsWith(`${field}: `)).toBe(true);
  });

  it('a missing field is named', () => {
    const { floor: _floor, ...rest } = elevatorReading;
    expect(refused(parsePayload('elevator', 'telemetry', json(rest))).message).toMatch(/^floor: /);
  });

  it('a number too large for JSON doubles (Infinity) is refused', () => {
    const text = json(elevatorReading).replace('"speed":1.75', '"speed":1e400');
    expect(refused(parsePayload('elevator', 'telemetry', text)).message).toMatch(/^speed: /);
  });

  it('an elevator reading is not a boiler reading', () => {
    const r = refused(parsePayload('boiler', 'telemetry', json(elevatorReading)));
    expect(r.reason).toBe('schema');
    expect(r.message).toContain('pressure');
  });

  it('reports at most five issues, on one line', () => {
    const r = refused(parsePayload('elevator', 'telemetry', '{}'));
    expect(r.message.split('; ')).toHaveLength(5);
    expect(r.message).not.toContain('\n');
  });
});

describe('events', () => {
  const cases = [
    ...ELEVATOR_CODES.map((code) => ['elevator', code] as const),
    ...BOILER_CODES.map((code) => ['boiler', code] as const),
  ];

  it.each(cases)('%s accepts code %s, raised and cleared', (kind, code) => {
    for (const state of ['raised', 'cleared'] as const) {
      const event = { ts: TS, seq: 3, code, state, detail: { floor: 7, note: 'x', confirmed: true } };
      expect(parsePayload(kind, 'event', json(event))).toEqual({ ok: true, channel: 'event', value: event });
    }
  });

  it.each(cases)('%s code %s is refused for the other kind', (kind, code) => {
    const other: DeviceKind = kind === 'elevator' ? 'boiler' : 'elevator';
    const r = refused(parsePayload(other, 'event', json({ ts: TS, code, state: 'raised' })));
    expect(r.reason).toBe('schema');
    expect(r.message).toMatch(/^code: /);
  });

  it.each(['00', '17', '99', '1', 'B00', 'B09', 'b01', 11, null])('unknown code %j is refused naming the field', (code) => {
    for (const kind of DEVICE_KINDS) expect(refused(parsePayload(kind, 'event', json({ ts: TS, code, state: 'raised' }))).message).toMatch(/^code: /);
  });

  it.each([
    [{ state: 'open' }, 'state'],
    [{ state: undefined }, 'state'],
    [{ ts: 'now' }, 'ts'],
    [{ detail: 'text' }, 'detail'],
    [{ detail: { nested: { a: 1 } } }, 'detail.nested'],
    [{ detail: { note: 'x'.repeat(201) } }, 'detail.note'],
    [{ detail: { ['k'.repeat(41)]: 1 } }, 'detail'],
  ])('refuses %j naming %s', (patch, field) => {
    const r = refused(parsePayload('elevator', 'event', json({ ts: TS, code: '11', state: 'raised', ...patch })));
    expect(r.message.startsWith(`${field}`)).toBe(true);
  });
});

describe('status', () => {
  it.each(DEVICE_KINDS)('%s: accepts online and offline, with and without details', (kind) => {
    const full = { ts: TS, state: 'online', firmware: 'v2.3.1', interval: 10 };
    expect(parsePayload(kind, 'status', json(full))).toEqual({ ok: true, channel: 'status', value: full });
    expect(parsePayload(kind, 'status', json({ state: 'offline', reason: 'lwt' }))).toEqual({ ok: true, channel: 'status', value: { state: 'offline', reason: 'lwt' } });
  });

  it.each([
    [{ state: 'sleeping' }, 'state'],
    [{}, 'state'],
    [{ state: 'online', interval: 0 }, 'interval'],
    [{ state: 'online', interval: 86_401 }, 'interval'],
    [{ state: 'online', interval: 2.5 }, 'interval'],
    [{ state: 'online', firmware: 'v'.repeat(65) }, 'firmware'],
    [{ state: 'offline', reason: 'r'.repeat(65) }, 'reason'],
    [{ state: 'online', ts: -1 }, 'ts'],
  ])('refuses %j naming %s', (payload, field) => {
    expect(refused(parsePayload('elevator', 'status', json(payload))).message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('payload framing', () => {
  it.each(['', '{', 'not json', '{"ts":1,}', "{'ts':1}", '\u0000'])('refuses bad JSON %j', (payload) => {
    const r = refused(parsePayload('elevator', 'telemetry', payload));
    expect(r.reason).toBe('bad_json');
    expect(r.message).toMatch(/^not JSON: /);
  });

  it('refuses invalid UTF-8 as bad JSON', () => {
    expect(refused(parsePayload('elevator', 'status', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).reason).toBe('bad_json');
  });

  it.each(['null', '[]', '42', '"online"', 'true'])('refuses JSON %s that is not an object, at the root', (payload) => {
    const r = refused(parsePayload('elevator', 'status', payload));
    expect(r.reason).toBe('schema');
    expect(r.message).toMatch(/^\(root\): /);
  });

  it('accepts a payload of exactly the limit and refuses one byte more, by bytes not characters', () => {
    const base = json({ state: 'online', firmware: 'v1' });
    const atLimit = base + ' '.repeat(MAX_PAYLOAD_BYTES - Buffer.byteLength(base));
    expect(Buffer.byteLength(atLimit)).toBe(MAX_PAYLOAD_BYTES);
    expect(parsePayload('elevator', 'status', atLimit).ok).toBe(true);
    const over = refused(parsePayload('elevator', 'status', atLimit + ' '));
    expect(over.reason).toBe('oversized');
    expect(over.message).toContain(String(MAX_PAYLOAD_BYTES + 1));
    // 1366 three-byte characters: 4098 bytes although only 1366 characters
    const wide = refused(parsePayload('elevator', 'status', Buffer.from('电'.repeat(1366))));
    expect(wide.reason).toBe('oversized');
    expect(refused(parsePayload('elevator', 'status', '电'.repeat(1366))).reason).toBe('oversized');
  });
});
