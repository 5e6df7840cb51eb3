import { describe, expect, it } from 'vitest';
import { authorizePublishTopic, authorizeSubscribeFilter, devicePrincipal, filterCovers, topicMatches } from '../src/policy/acl.js';
import { brokerPerSuite, closed, device, metricValue, service } from './helpers.js';

describe('topic filters (pure)', () => {
  it('matches per MQTT 3.1.1 section 4.7', () => {
    expect(topicMatches('tw/v1/+/+/telemetry', 'tw/v1/elevator/EL-1/telemetry')).toBe(true);
    expect(topicMatches('tw/v1/#', 'tw/v1')).toBe(true); // [MQTT-4.7.1-2]
    expect(topicMatches('+/v1/x', '$SYS/v1/x')).toBe(false); // [MQTT-4.7.2-1]
    expect(topicMatches('tw/v1/+/+/cmd/+', 'tw/v1/elevator/EL-1/cmd')).toBe(false);
  });
  it('matches exactly as splitting both at "/" and comparing level by level would', () => {
    // the reference: the obvious implementation, which allocates two arrays per call
    const reference = (filter: string, topic: string) => {
      if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
      const f = filter.split('/');
      const t = topic.split('/');
      for (let i = 0; i < f.length; i++) {
        if (f[i] === '#') return true;
        if (i >= t.length) return false;
        if (f[i] !== '+' && f[i] !== t[i]) return false;
      }
      return f.length === t.length;
    };
    const levels = ['a', 'b', 'ab', '', '+', '#', '$S', '重'];
    const words: string[] = [];
    for (const x of levels) {
      words.push(x);
      for (const y of levels) {
        words.push(`${x}/${y}`);
        for (const z of levels) words.push(`${x}/${y}/${z}`);
      }
    }
    const filters = words.filter((w) => !w.includes('#') || /(^|\/)#$/.test(w));
    const topics = words.filter((w) => w.length > 0 && !w.includes('+') && !w.includes('#'));
    let checked = 0;
    for (const f of filters) {
      for (const t of topics) {
        if (topicMatches(f, t) !== reference(f, t)) expect.fail(`topicMatches(${JSON.stringify(f)}, ${JSON.stringify(t)})`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });
  it('a role filter covers a requested filter only when it covers every topic the request can match', () => {
    expect(filterCovers('tw/v1/#', 'tw/v1/+/+/telemetry')).toBe(true);
    expect(filterCovers('tw/v1/+/+/telemetry', 'tw/v1/elevator/+/telemetry')).toBe(true);
    expect(filterCovers('tw/v1/+/+/telemetry', 'tw/v1/#')).toBe(false);
    expect(filterCovers('tw/v1/+/+/telemetry', 'tw/v1/+/+/+')).toBe(false);
    expect(filterCovers('tw/v1/#', '#')).toBe(false);
    expect(filterCovers('tw/v1/#', '$SYS/#')).toBe(false);
  });
  it('a device publishes only on its own uplink and subscribes only to its own commands', () => {
    const p = devicePrincipal('EL-1', 'elevator', 'h');
    expect(authorizePublishTopic(p, 'tw/v1/elevator/EL-1/telemetry').ok).toBe(true);
    expect(authorizePublishTopic(p, 'tw/v1/elevator/EL-1/status').ok).toBe(true);
    expect(authorizePublishTopic(p, 'tw/v1/boiler/EL-1/telemetry').ok).toBe(false);
    expect(authorizePublishTopic(p, 'tw/v1/elevator/EL-2/telemetry').ok).toBe(false);
    expect(authorizePublishTopic(p, 'tw/v1/elevator/EL-1/cmd/reboot').ok).toBe(false);
    expect(authorizeSubscribeFilter(p, 'tw/v1/elevator/EL-1/cmd/+')).toBe(true);
    expect(authorizeSubscribeFilter(p, 'tw/v1/elevator/EL-1/cmd/reboot')).toBe(true);
    expect(authorizeSubscribeFilter(p, 'tw/v1/elevator/EL-1/#')).toBe(false);
    expect(authorizeSubscribeFilter(p, 'tw/v1/elevator/EL-2/cmd/+')).toBe(false);
    expect(authorizeSubscribeFilter(p, '#')).toBe(false);
  });
  it('service roles get exactly their topics', () => {
    const svc = (account: 'ingest' | 'alerts' | 'dashboard' | 'sim-admin') => ({ type: 'service' as const, account });
    expect(authorizeSubscribeFilter(svc('ingest'), 'tw/v1/+/+/#')).toBe(true);
    expect(authorizePublishTopic(svc('ingest'), 'tw/v1/elevator/EL-1/cmd/reboot').ok).toBe(false);
    expect(authorizePublishTopic(svc('alerts'), 'tw/v1/elevator/EL-1/cmd/reboot')).toEqual({ ok: true, uplink: false });
    expect(authorizeSubscribeFilter(svc('alerts'), 'tw/v1/+/+/telemetry')).toBe(false);
    expect(authorizeSubscribeFilter(svc('dashboard'), 'tw/v1/+/+/telemetry')).toBe(true);
    expect(authorizeSubscribeFilter(svc('dashboard'), 'tw/v1/+/+/cmd/+')).toBe(false);
    expect(authorizePublishTopic(svc('sim-admin'), 'tw/v1/elevator/EL-1/telemetry')).toEqual({ ok: true, uplink: true });
    expect(authorizePublishTopic(svc('sim-admin'), 'tw/v1/elevator/EL-1/cmd/x').ok).toBe(false);
    for (const a of ['ingest', 'alerts', 'dashboard', 'sim-admin'] as const) expect(authorizeSubscribeFilter(svc(a), '$SYS/#')).toBe(false);
  });
});

describe('authorization on a running broker', () => {
  const b = brokerPerSuite({ seed: [{ id: 'EL-0001', kind: 'elevator' }, { id: 'EL-0002', kind: 'elevator' }] });

  it('a device cannot subscribe to another device\'s commands, to wildcards or to $SYS (SUBACK 0x80)', async () => {
    const c = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string);
    // mqtt.js reports a SUBACK with any 0x80 as an error that carries the packet
    const granted = await c.subscribeAsync(['tw/v1/elevator/EL-0001/cmd/+', 'tw/v1/elevator/EL-0002/cmd/+', 'tw/v1/#', '$SYS/#'], { qos: 1 }).then(
      (g) => g.map((x) => x.qos),
      (err: { packet?: { granted: number[] } }) => err.packet?.granted,
    );
    expect(granted).toEqual([1, 128, 128, 128]);
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('a device publishing outside its topics is disconnected without PUBACK', async () => {
    for (const topic of ['tw/v1/elevator/EL-0002/telemetry', 'tw/v1/elevator/EL-0001/cmd/reboot', '$SYS/x', 'other/topic']) {
      const c = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string);
      let acked = false;
      c.publish(topic, '{}', { qos: 1 }, (err) => (acked = !err));
      await closed(c);
      expect(acked).toBe(false);
      c.end(true);
    }
    expect(await metricValue(b.broker, 'tw_mqtt_refusals_total', { action: 'publish' })).toBe(4);
  });

  it('commands from alerts reach the device; uplink reaches the dashboard', async () => {
    const dev = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string);
    await dev.subscribeAsync('tw/v1/elevator/EL-0001/cmd/+', { qos: 1 });
    const dash = await service(b.port, 'dashboard');
    expect((await dash.subscribeAsync('tw/v1/+/+/telemetry', { qos: 1 }))[0]?.qos).toBe(1);
    const alerts = await service(b.port, 'alerts');
    const gotCmd = new Promise<string>((resolve) => dev.once('message', (t) => resolve(t)));
    await alerts.publishAsync('tw/v1/elevator/EL-0001/cmd/reboot', '{}', { qos: 1 });
    expect(await gotCmd).toBe('tw/v1/elevator/EL-0001/cmd/reboot');
    const gotTelemetry = new Promise<string>((resolve) => dash.once('message', (_t, p) => resolve(p.toString())));
    await dev.publishAsync('tw/v1/elevator/EL-0001/telemetry', '{"floor":3}', { qos: 1 });
    expect(await gotTelemetry).toBe('{"floor":3}');
    await Promise.all([dev.endAsync(), dash.endAsync(), alerts.endAsync()]);
  });

  it('a second connection with the same device ID takes the session over [MQTT-3.1.4-2]', async () => {
    const first = await device(b.port, 'EL-0002', b.secrets['EL-0002'] as string);
    const second = await device(b.port, 'EL-0002', b.secrets['EL-0002'] as string);
    await closed(first);
    expect(second.connected).toBe(true);
    first.end(true);
    await second.endAsync();
  });
});
