import { describe, expect, it } from 'vitest';
import { DEVICE_KINDS, STORAGE_DEFAULTS, parseStorageOverrides, storagePolicy, storedFieldNames, telemetryEnumOptions } from '@tianwang/core/schemas';

describe('storage policy (store by exception)', () => {
  it('has a domain default for every telemetry field of every kind, and nothing else', () => {
    for (const kind of DEVICE_KINDS) expect(Object.keys(STORAGE_DEFAULTS[kind]).sort()).toEqual(storedFieldNames(kind).sort());
  });

  it('keeps discrete state at every change and analog values within a deadband, seq only alongside', () => {
    const p = storagePolicy();
    expect(p.mode).toBe('exception');
    for (const f of ['floor', 'direction', 'door', 'doorZone', 'passenger', 'mode', 'power', 'runCount']) expect(p.fields.elevator[f]!.rule).toEqual({ kind: 'change' });
    for (const f of ['burner', 'flame', 'fan', 'feedPump', 'operatorOnDuty']) expect(p.fields.boiler[f]!.rule).toEqual({ kind: 'change' });
    expect(p.fields.elevator.load!.rule).toEqual({ kind: 'deadband', deadband: 5, relative: false });
    expect(p.fields.boiler.pressure!.rule).toEqual({ kind: 'deadband', deadband: 0.01, relative: false });
    expect(p.fields.boiler.fuelPressure!.rule).toEqual({ kind: 'deadband', deadband: 0.02, relative: true });
    expect(p.fields.elevator.seq!.rule).toEqual({ kind: 'with' });
    expect(p.fields.elevator.floor!.heartbeatMs).toBe(300_000);
  });

  it('applies overrides over the defaults, with a heartbeat per field', () => {
    const p = storagePolicy({ mode: 'all', heartbeatS: 60, overrides: ' boiler.pressure=0.005, elevator.load=10%/30 ,elevator.speed=always,' });
    expect(p.mode).toBe('all');
    expect(p.fields.boiler.pressure).toEqual({ rule: { kind: 'deadband', deadband: 0.005, relative: false }, heartbeatMs: 60_000 });
    expect(p.fields.elevator.load).toEqual({ rule: { kind: 'deadband', deadband: 0.1, relative: true }, heartbeatMs: 30_000 });
    expect(p.fields.elevator.speed!.rule).toEqual({ kind: 'always' });
    expect(p.fields.elevator.floor!.heartbeatMs).toBe(60_000);
  });

  it.each([
    ['elevator.nope=1', /no field "nope"/],
    ['lift.floor=change', /unknown device kind "lift"/],
    ['elevator.door=0.5', /door is not a number/],
    ['boiler.pressure=fast', /the rule must be/],
    ['elevator.seq=with/60', /heartbeat applies to change and deadband/],
    ['boiler.pressure=1%/0', /at least 1 s/],
    ['floor=change', /is not kind.field=rule/],
  ])('refuses %s with a message naming it', (spec, message) => {
    expect(() => parseStorageOverrides(spec)).toThrow(message);
  });

  it('lists the values of enum fields in schema order (ingest compares their index)', () => {
    expect(telemetryEnumOptions('elevator', 'door')).toEqual(['open', 'closed', 'opening', 'closing']);
    expect(telemetryEnumOptions('elevator', 'load')).toBeUndefined();
  });
});
