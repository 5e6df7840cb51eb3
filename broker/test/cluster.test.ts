import { pipelineKeys } from '@tianwang/core/pipeline';
import { startRedis, type RedisServer, waitFor } from '@tianwang/core/testing';
import { hashSecret } from '@tianwang/core/crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDeviceSource, type BrokerService } from '../src/index.js';
import { device, service, startTestBroker } from './helpers.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const devices = memoryDeviceSource(
  ['EL-0001', 'EL-0002'].map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })),
);

describe('durability and scale-out through Redis', () => {
  let redis: RedisServer;
  const running: BrokerService[] = [];
  const start = async (prefix: string) => {
    const b = await startTestBroker({ redisUrl: redis.url, devices, prefix });
    running.push(b.broker);
    return b;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const b of running) await b.stop();
    await redis?.stop();
  });

  it('a QoS 1 message queued for an offline persistent session survives a broker restart', async () => {
    const prefix = 'durable';
    const first = await start(prefix);
    const clientId = 'svc:dashboard:durable';
    const sub = await service(first.port, 'dashboard', { clientId, clean: false });
    await sub.subscribeAsync('tw/v1/+/+/event', { qos: 1 });
    await sub.endAsync();
    const dev = await device(first.port, 'EL-0001', SECRET);
    await dev.publishAsync('tw/v1/elevator/EL-0001/event', '{"code":"11"}', { qos: 1 });
    await dev.endAsync();
    await first.broker.stop();

    const second = await start(prefix);
    const received: string[] = [];
    const again = await service(second.port, 'dashboard', { clientId, clean: false, manualConnect: false });
    again.on('message', (_t, p) => received.push(p.toString()));
    await waitFor(() => received.length > 0, { timeoutMs: 5000, what: 'queued message after restart' });
    expect(received).toEqual(['{"code":"11"}']);
    await again.endAsync();
  });

  it('a message published on one broker process reaches a subscriber on another', async () => {
    const prefix = 'cluster';
    const a = await start(prefix);
    const b = await start(prefix);
    const sub = await service(b.port, 'dashboard');
    await sub.subscribeAsync('tw/v1/+/+/telemetry', { qos: 1 });
    const got: string[] = [];
    sub.on('message', (_t, p) => got.push(p.toString()));
    const dev = await device(a.port, 'EL-0002', SECRET);
    for (let i = 0; i < 50; i++) await dev.publishAsync('tw/v1/elevator/EL-0002/telemetry', `{"i":${i}}`, { qos: 1 });
    await waitFor(() => got.length === 50, { timeoutMs: 5000, what: 'messages across nodes' });
    expect(got[49]).toBe('{"i":49}');
    // both nodes write to the one uplink stream: 50 messages and the device's online entry
    const r = new Redis(redis.url);
    expect(await r.xlen(pipelineKeys(prefix).uplink)).toBe(51);
    r.disconnect();
    // the same device connecting on the other node takes its session over there [MQTT-3.1.4-2]
    let firstClosed = false;
    dev.on('close', () => (firstClosed = true));
    const dev2 = await device(b.port, 'EL-0002', SECRET);
    await waitFor(() => firstClosed, { timeoutMs: 5000, what: 'takeover across nodes' });
    dev.end(true);
    await Promise.all([dev2.endAsync(), sub.endAsync()]);
  });
});
