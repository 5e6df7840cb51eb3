import { pipelineKeys } from '@tianwang/core/pipeline';
import type { Registry } from '@tianwang/core/registry';
import { startRedis, waitFor, type RedisServer } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerService } from '../src/index.js';
import { device, seededRegistry, service, startTestBroker } from './helpers.js';

/**
 * The retained commands a device receives when it subscribes to its command filter: waits for `expected` of them,
 * then for a live marker published after the SUBACK and half a second more, so that an extra one would be seen.
 */
async function retainedOnSubscribe(port: number, id: string, secret: string, expected: number): Promise<{ topic: string; payload: string; retain: boolean }[]> {
  const c = await device(port, id, secret);
  const got: { topic: string; payload: string; retain: boolean }[] = [];
  c.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await c.subscribeAsync(`tw/v1/elevator/${id}/cmd/+`, { qos: 1 });
  const retained = () => got.filter((m) => !m.topic.endsWith('/marker'));
  await waitFor(() => retained().length >= expected, { timeoutMs: 5000, what: `${expected} retained commands` });
  const marker = await service(port, 'alerts');
  await marker.publishAsync(`tw/v1/elevator/${id}/cmd/marker`, 'm', { qos: 1 });
  await waitFor(() => got.some((m) => m.topic.endsWith('/marker')), { timeoutMs: 5000, what: 'the marker' });
  await new Promise((r) => setTimeout(r, 500));
  await marker.endAsync();
  await c.endAsync();
  return retained();
}

async function retain(port: number, topic: string, payload: string): Promise<void> {
  const s: MqttClient = await service(port, 'alerts');
  await s.publishAsync(topic, payload, { qos: 1, retain: true });
  await s.endAsync();
}

describe('retained commands are found by index, not by scanning every retained message', () => {
  let server: RedisServer;
  let redis: Redis;
  let registry: Registry;
  let secrets: Record<string, string>;
  let broker: BrokerService;
  let port: number;
  let prefix: string;

  beforeAll(async () => {
    server = await startRedis();
    redis = new Redis(server.url);
    ({ registry, secrets } = await seededRegistry(['EL-0001', 'EL-0002', 'EL-0003'].map((id) => ({ id, kind: 'elevator' as const }))));
    ({ broker, port, prefix } = await startTestBroker({ redisUrl: server.url, devices: registry.devices }));
  });
  afterAll(async () => {
    await broker?.stop();
    redis?.disconnect();
    await registry?.close();
    await server?.stop();
  });

  it('a device subscribing gets its retained command without an HSCAN of the 3,000 retained statuses', async () => {
    // what a fleet leaves retained: every terminal's status (its will)
    const hash = `${pipelineKeys(prefix).mqttPersistence}retained`;
    for (let i = 0; i < 3000; i += 500) await redis.hset(hash, ...Array.from({ length: 500 }, (_, k) => [`tw/v1/elevator/X-${i + k}/status`, 'x']).flat());
    await retain(port, 'tw/v1/elevator/EL-0001/cmd/config', '{"interval":10}');
    await redis.config('RESETSTAT');
    expect(await retainedOnSubscribe(port, 'EL-0001', secrets['EL-0001']!, 1)).toEqual([{ topic: 'tw/v1/elevator/EL-0001/cmd/config', payload: '{"interval":10}', retain: true }]);
    expect(await retainedOnSubscribe(port, 'EL-0002', secrets['EL-0002']!, 0)).toEqual([]);
    const stats = await redis.info('commandstats');
    // the library's wildcard path read the hash ten fields per call: ~300 HSCANs per subscription here
    expect(stats).not.toMatch(/cmdstat_hscan:/);
  });

  it('an empty retained payload removes the command for later subscribers', async () => {
    await retain(port, 'tw/v1/elevator/EL-0003/cmd/config', '{"interval":5}');
    expect(await retainedOnSubscribe(port, 'EL-0003', secrets['EL-0003']!, 1)).toHaveLength(1);
    await retain(port, 'tw/v1/elevator/EL-0003/cmd/config', '');
    expect(await retainedOnSubscribe(port, 'EL-0003', secrets['EL-0003']!, 0)).toEqual([]);
  });

  it('a broker starting builds the index from commands retained before it (an older broker, a lost index)', async () => {
    await retain(port, 'tw/v1/elevator/EL-0002/cmd/reboot', 'now');
    await redis.del(`${pipelineKeys(prefix).mqttPersistence}retained-cmd:tw/v1/elevator/EL-0002`);
    await broker.stop();
    ({ broker, port } = await startTestBroker({ redisUrl: server.url, devices: registry.devices, prefix }));
    expect(await retainedOnSubscribe(port, 'EL-0002', secrets['EL-0002']!, 1)).toEqual([{ topic: 'tw/v1/elevator/EL-0002/cmd/reboot', payload: 'now', retain: true }]);
  });
});
