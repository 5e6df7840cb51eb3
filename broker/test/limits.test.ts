import { waitFor } from '@tianwang/core/testing';
import { describe, expect, it } from 'vitest';
import { brokerPerSuite, closed, device, metricValue, refusedCode, service } from './helpers.js';

describe('limits', () => {
  const b = brokerPerSuite({
    seed: [{ id: 'EL-0001', kind: 'elevator' }, { id: 'EL-0002', kind: 'elevator' }, { id: 'EL-0003', kind: 'elevator' }],
    env: { TW_MQTT_MAX_PACKET_BYTES: '1024', TW_MQTT_PUBLISH_RATE: '20', TW_MQTT_MAX_CONNECTIONS: '5' },
  });

  it('cuts off an oversized and a flooding client while another device keeps flowing', async () => {
    const sub = await service(b.port, 'dashboard');
    await sub.subscribeAsync('tw/v1/+/+/telemetry', { qos: 0 });
    let fromSteady = 0;
    sub.on('message', (t) => t.includes('EL-0003') && fromSteady++);
    const steady = await device(b.port, 'EL-0003', b.secrets['EL-0003'] as string);
    const ticker = setInterval(() => steady.publish('tw/v1/elevator/EL-0003/telemetry', '{"ok":1}', { qos: 1 }), 100);

    const big = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string);
    big.publish('tw/v1/elevator/EL-0001/telemetry', 'x'.repeat(5000), { qos: 1 });
    await closed(big);
    big.end(true);

    const flood = await device(b.port, 'EL-0002', b.secrets['EL-0002'] as string);
    for (let i = 0; i < 200; i++) flood.publish('tw/v1/elevator/EL-0002/telemetry', '{}', { qos: 0 });
    await closed(flood);
    flood.end(true);

    const before = fromSteady;
    await waitFor(() => fromSteady >= before + 5, { timeoutMs: 3000, what: 'steady device keeps flowing' });
    clearInterval(ticker);
    expect(steady.connected).toBe(true);
    expect(await metricValue(b.broker, 'tw_mqtt_limit_violations_total', { limit: 'packet_size' })).toBe(1);
    expect(await metricValue(b.broker, 'tw_mqtt_limit_violations_total', { limit: 'publish_rate' })).toBe(1);
    expect(await metricValue(b.broker, 'tw_mqtt_disconnects_total', { reason: 'kicked' })).toBe(2);
    await Promise.all([steady.endAsync(), sub.endAsync()]);
  });

  it('refuses connections over the maximum and serves again once some close', async () => {
    await waitFor(async () => (await metricValue(b.broker, 'tw_mqtt_connections')) === 0, { timeoutMs: 3000, what: 'all closed' });
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => service(b.port, 'ingest')));
    expect(await refusedCode(service(b.port, 'ingest'))).not.toBe(0);
    expect(await metricValue(b.broker, 'tw_mqtt_limit_violations_total', { limit: 'connections' })).toBeGreaterThanOrEqual(1);
    await held.pop()?.endAsync();
    await waitFor(async () => (await metricValue(b.broker, 'tw_mqtt_connections')) === 4, { timeoutMs: 3000, what: 'one closed' });
    const again = await service(b.port, 'ingest');
    await Promise.all([again, ...held].map((c) => c.endAsync()));
  });
});
