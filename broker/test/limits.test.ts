import type { Registry } from '@tianwang/core/registry';
import { startRedis, type RedisServer, waitFor } from '@tianwang/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerService } from '../src/index.js';
import { closed, device, metricValue, refusedCode, seededRegistry, service, startTestBroker } from './helpers.js';

describe('limits', () => {
  let redis: RedisServer;
  let registry: Registry;
  let secrets: Record<string, string>;
  let broker: BrokerService;
  let port: number;

  beforeAll(async () => {
    redis = await startRedis();
    ({ registry, secrets } = await seededRegistry([{ id: 'EL-0001', kind: 'elevator' }, { id: 'EL-0002', kind: 'elevator' }, { id: 'EL-0003', kind: 'elevator' }]));
    ({ broker, port } = await startTestBroker({
      redisUrl: redis.url, devices: registry.devices,
      env: { TW_MQTT_MAX_PACKET_BYTES: '1024', TW_MQTT_PUBLISH_RATE: '20', TW_MQTT_MAX_CONNECTIONS: '5' },
    }));
  });
  afterAll(async () => {
    await broker?.stop();
    await registry?.close();
    await redis?.stop();
  });

  it('cuts off an oversized and a flooding client while another device keeps flowing', async () => {
    const sub = await service(port, 'dashboard');
    await sub.subscribeAsync('tw/v1/+/+/telemetry', { qos: 0 });
    let fromSteady = 0;
    sub.on('message', (t) => t.includes('EL-0003') && fromSteady++);
    const steady = await device(port, 'EL-0003', secrets['EL-0003'] as string);
    const ticker = setInterval(() => steady.publish('tw/v1/elevator/EL-0003/telemetry', '{"ok":1}', { qos: 1 }), 100);

    const big = await device(port, 'EL-0001', secrets['EL-0001'] as string);
    big.publish('tw/v1/elevator/EL-0001/telemetry', 'x'.repeat(5000), { qos: 1 });
    await closed(big);
    big.end(true);

    const flood = await device(port, 'EL-0002', secrets['EL-0002'] as string);
    for (let i = 0; i < 200; i++) flood.publish('tw/v1/elevator/EL-0002/telemetry', '{}', { qos: 0 });
    await closed(flood);
    flood.end(true);

    const before = fromSteady;
    await waitFor(() => fromSteady >= before + 5, { timeoutMs: 3000, what: 'steady device keeps flowing' });
    clearInterval(ticker);
    expect(steady.connected).toBe(true);
    expect(await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'packet_size' })).toBe(1);
    expect(await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'publish_rate' })).toBe(1);
    expect(await metricValue(broker, 'tw_mqtt_disconnects_total', { reason: 'kicked' })).toBe(2);
    await Promise.all([steady.endAsync(), sub.endAsync()]);
  });

  it('refuses connections over the maximum and serves again once some close', async () => {
    await waitFor(async () => (await metricValue(broker, 'tw_mqtt_connections')) === 0, { timeoutMs: 3000, what: 'all closed' });
    const held = await Promise.all([1, 2, 3, 4, 5].map(() => service(port, 'ingest')));
    expect(await refusedCode(service(port, 'ingest'))).not.toBe(0);
    expect(await metricValue(broker, 'tw_mqtt_limit_violations_total', { limit: 'connections' })).toBeGreaterThanOrEqual(1);
    await held.pop()?.endAsync();
    await waitFor(async () => (await metricValue(broker, 'tw_mqtt_connections')) === 4, { timeoutMs: 3000, what: 'one closed' });
    const again = await service(port, 'ingest');
    await Promise.all([again, ...held].map((c) => c.endAsync()));
  });
});
