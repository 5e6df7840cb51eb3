import { describe, expect, it } from 'vitest';
import { allTopicsFilter, anyCommandFilter, channelFilter, commandFilter, commandTopic, parseTopic, telemetryTopic, tryParseTopic, eventTopic, statusTopic, TopicError } from '@tianwang/core/topics';

describe('topics', () => {
  it('builds and parses every uplink topic', () => {
    const id = '31103101002019070001';
    expect(telemetryTopic('elevator', id)).toBe(`tw/v1/elevator/${id}/telemetry`);
    for (const build of [telemetryTopic, eventTopic, statusTopic]) {
      const t = build('boiler', 'GL-0001');
      expect(parseTopic(t)).toMatchObject({ kind: 'boiler', deviceId: 'GL-0001' });
    }
    expect(parseTopic(eventTopic('elevator', id)).channel).toBe('event');
  });
  it('builds and parses command topics and filters', () => {
    expect(commandTopic('elevator', 'EL-1', 'reboot')).toBe('tw/v1/elevator/EL-1/cmd/reboot');
    expect(parseTopic('tw/v1/elevator/EL-1/cmd/reboot')).toEqual({ kind: 'elevator', deviceId: 'EL-1', channel: 'cmd', command: 'reboot' });
    expect(commandFilter('boiler', 'GL-2')).toBe('tw/v1/boiler/GL-2/cmd/+');
    expect(channelFilter('telemetry')).toBe('tw/v1/+/+/telemetry');
    expect(channelFilter('event', 'boiler')).toBe('tw/v1/boiler/+/event');
    expect(anyCommandFilter()).toBe('tw/v1/+/+/cmd/+');
    expect(allTopicsFilter()).toBe('tw/v1/#');
  });
  it.each([
    ['', 'must start with'],
    ['xx/v1/elevator/EL-1/telemetry', 'must start with'],
    ['tw/v2/elevator/EL-1/telemetry', 'unsupported version'],
    ['tw/v1/escalator/EL-1/telemetry', 'unknown device kind'],
    ['tw/v1/elevator/+/telemetry', 'device id'],
    ['tw/v1/elevator/#', 'device id'],
    ['tw/v1/elevator/ab/telemetry', 'device id'],
    ['tw/v1/elevator/EL 1/telemetry', 'device id'],
    ['tw/v1/elevator/EL-1/metrics', 'unknown channel'],
    ['tw/v1/elevator/EL-1/telemetry/extra', 'too many levels'],
    ['tw/v1/elevator/EL-1/cmd', 'command topic'],
    ['tw/v1/elevator/EL-1/cmd/Bad Name', 'command topic'],
    ['tw/v1/elevator/EL-1/cmd/a/b', 'command topic'],
    ['tw/v1/elevator/' + 'x'.repeat(300) + '/telemetry', 'longer than'],
  ])('rejects %s', (topic, reason) => {
    const r = tryParseTopic(topic);
    expect(typeof r).toBe('string');
    expect(r).toContain(reason);
    expect(() => parseTopic(topic)).toThrow(TopicError);
  });
  it('refuses to build topics from bad parts', () => {
    expect(() => telemetryTopic('elevator', 'a/b')).toThrow(/device id/);
    expect(() => telemetryTopic('crane' as 'elevator', 'EL-1')).toThrow(/unknown device kind/);
    expect(() => commandTopic('elevator', 'EL-1', '+')).toThrow(/command name/);
  });
});
