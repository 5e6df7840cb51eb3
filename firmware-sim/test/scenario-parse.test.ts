import { readFile, readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, UserError } from '@tianwang/core/errors';
import { parseScenario, ScenarioError } from '../src/scenario/scenario-parse.js';
import { resolveScenario } from '../src/scenario/scenario-runner.js';
import { parseDuration } from '../src/scenario/duration.js';
import { parseDeviceFile } from '../src/fleet/device-file.js';

const fleet = [
  { id: 'EL-1', kind: 'elevator' as const },
  { id: 'EL-2', kind: 'elevator' as const },
  { id: 'BL-1', kind: 'boiler' as const },
];

describe('scenario files', () => {
  it('parses YAML: times, kind#N devices, durations, clear steps, sorted by time', () => {
    const s = parseScenario(
      `name: demo\nduration: 2m\nsteps:\n  - {at: 1m30s, device: elevator#1, clear: trapped}\n  - at: 10s\n    device: elevator#1\n    fault: trapped\n    for: 60s\n  - {at: 500ms, device: BL-1, fault: low_water, seconds: 30}\n`,
      'demo.yaml',
    );
    expect(s).toMatchObject({ name: 'demo', durationMs: 120_000 });
    expect(s.steps.map((x) => [x.atMs, x.device, x.action, x.fault, x.durationMs])).toEqual([
      [500, 'BL-1', 'inject', 'low_water', 30_000],
      [10_000, 'elevator#1', 'inject', 'trapped', 60_000],
      [90_000, 'elevator#1', 'clear', 'trapped', undefined],
    ]);
    expect(resolveScenario(s, fleet).map((x) => x.deviceId)).toEqual(['BL-1', 'EL-1', 'EL-1']);
  });

  it('parses JSON too', () => {
    const s = parseScenario(JSON.stringify({ steps: [{ at: 5, device: 'EL-2', fault: 'overspeed', for: '20s' }] }), 'x.json');
    expect(s.steps[0]).toMatchObject({ atMs: 5000, durationMs: 20_000 });
  });

  it('every example in firmware-sim/scenarios parses', async () => {
    const dir = new URL('../scenarios/', import.meta.url);
    const files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(parseScenario(await readFile(new URL(f, dir), 'utf8'), f).steps.length).toBeGreaterThan(0);
  });

  const bad: [string, string, RegExp][] = [
    ['broken YAML', 'steps: [ {at: 1s', /bad\.yaml:\d+:\d+: not valid YAML/],
    ['not a mapping', '- 1\n- 2', /a scenario is a mapping with "steps"/],
    ['no steps', 'name: x', /"steps" must be a non-empty list/],
    ['unknown top-level key', 'stepz: []\n', /bad\.yaml:1:1: unknown key "stepz"/],
    ['misspelt fault, with line and hint', 'steps:\n  - at: 1s\n    device: EL-1\n    fault: trappd\n', /bad\.yaml:2:5: steps\[0\]\.fault: unknown fault "trappd" \(did you mean "trapped"\?\)/],
    ['bad time', 'steps:\n  - {at: soon, device: EL-1, fault: trapped}\n', /steps\[0\]\.at: "soon" is not a time/],
    ['missing device', 'steps:\n  - {at: 1s, fault: trapped}\n', /steps\[0\]\.device is required/],
    ['fault and clear', 'steps:\n  - {at: 1s, device: EL-1, fault: trapped, clear: trapped}\n', /exactly one of "fault"/],
    ['bad for', 'steps:\n  - {at: 1s, device: EL-1, fault: trapped, for: -3}\n', /steps\[0\]\.for: "-3" is not a positive time/],
    ['unknown step key', 'steps:\n  - {at: 1s, device: EL-1, fault: trapped, fro: 3s}\n', /unknown key "fro" \(did you mean "for"\?\)/],
    ['duplicate key', 'steps:\n  - {at: 1s, at: 2s, device: EL-1, fault: trapped}\n', /not valid YAML/],
  ];
  it.each(bad)('refuses %s with a clear message', (_, text, message) => {
    expect(() => parseScenario(text, 'bad.yaml')).toThrow(ScenarioError);
    expect(() => parseScenario(text, 'bad.yaml')).toThrow(message);
  });

  it('a refused scenario is a user error with a code from core\'s registry', () => {
    const err = (() => {
      try {
        parseScenario('steps: []\n', 'empty.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'TW_SCENARIO_INVALID', intent: 'user', retryable: false });
    expect(Object.keys(ERROR_CODES)).toContain((err as UserError).code);
  });

  it('refuses steps this fleet cannot play', () => {
    const wrongKind = parseScenario('steps:\n  - {at: 1s, device: BL-1, fault: trapped}\n', 'k.yaml');
    expect(() => resolveScenario(wrongKind, fleet)).toThrow(/k\.yaml:2:5: a boiler cannot have "trapped"/);
    const tooFew = parseScenario('steps:\n  - {at: 1s, device: boiler#2, fault: low_water}\n', 'n.yaml');
    expect(() => resolveScenario(tooFew, fleet)).toThrow(/boiler#2: the fleet has 1 boiler/);
    const unknown = parseScenario('steps:\n  - {at: 1s, device: EL-9, fault: trapped}\n', 'u.yaml');
    expect(() => resolveScenario(unknown, fleet)).toThrow(/no device "EL-9" in this fleet/);
  });

  it('reads durations', () => {
    expect([parseDuration('90s'), parseDuration('1m30s'), parseDuration('500ms'), parseDuration(2), parseDuration('1h')]).toEqual([90_000, 90_000, 500, 2000, 3_600_000]);
    expect([parseDuration('soon'), parseDuration('5x'), parseDuration(-1), parseDuration('')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('device files', () => {
  it('reads CSV and JSON, and names the bad row', () => {
    expect(parseDeviceFile('id,kind,secret,floors\nEL-100,elevator,abc,12\nBL-100,boiler,def,\n', 'd.csv')).toEqual([
      { id: 'EL-100', kind: 'elevator', secret: 'abc', floors: 12 },
      { id: 'BL-100', kind: 'boiler', secret: 'def' },
    ]);
    expect(parseDeviceFile('[{"id":"EL-7","kind":"elevator","secret":"x","ratedSpeed":2.5}]', 'd.json')).toEqual([{ id: 'EL-7', kind: 'elevator', secret: 'x', ratedSpeed: 2.5 }]);
    expect(() => parseDeviceFile('id,kind,secret\nEL-1,lift,abc\n', 'd.csv')).toThrow('d.csv line 2: kind "lift" must be one of elevator, boiler');
    expect(() => parseDeviceFile('id,kind\nEL-1,elevator\n', 'd.csv')).toThrow(/header must name id,kind,secret/);
  });
});
