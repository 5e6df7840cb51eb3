import { waitFor } from '@tianwang/core/testing';
import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { brokerPerSuite, device, service } from './helpers.js';

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
  const b = brokerPerSuite({ seed: ['EL-0001', 'EL-0002', 'EL-0003'].map((id) => ({ id, kind: 'elevator' as const })) });

  it('a device subscribing gets its retained command without an HSCAN of the 3,000 retained statuses', async () => {
    // what a fleet leaves retained: every terminal's status (its will)
    const hash = `${b.keys.mqttPersistence}retained`;
    for (let i = 0; i < 3000; i += 500) await b.redis.hset(hash, ...Array.from({ length: 500 }, (_, k) => [`tw/v1/elevator/X-${i + k}/status`, 'x']).flat());
    await retain(b.port, 'tw/v1/elevator/EL-0001/cmd/config', '{"interval":10}');
    await b.redis.config('RESETSTAT');
    expect(await retainedOnSubscribe(b.port, 'EL-0001', b.secrets['EL-0001']!, 1)).toEqual([{ topic: 'tw/v1/elevator/EL-0001/cmd/config', payload: '{"interval":10}', retain: true }]);
    expect(await retainedOnSubscribe(b.port, 'EL-0002', b.secrets['EL-0002']!, 0)).toEqual([]);
    const stats = await b.redis.info('commandstats');
    // the library's wildcard path read the hash ten fields per call: ~300 HSCANs per subscription here
    expect(stats).not.toMatch(/cmdstat_hscan:/);
  });

  it('an empty retained payload removes the command for later subscribers', async () => {
    await retain(b.port, 'tw/v1/elevator/EL-0003/cmd/config', '{"interval":5}');
    expect(await retainedOnSubscribe(b.port, 'EL-0003', b.secrets['EL-0003']!, 1)).toHaveLength(1);
    await retain(b.port, 'tw/v1/elevator/EL-0003/cmd/config', '');
    expect(await retainedOnSubscribe(b.port, 'EL-0003', b.secrets['EL-0003']!, 0)).toEqual([]);
  });

  it('a broker starting builds the index from commands retained before it (an older broker, a lost index)', async () => {
    await retain(b.port, 'tw/v1/elevator/EL-0002/cmd/reboot', 'now');
    await b.redis.del(`${b.keys.mqttPersistence}retained-cmd:tw/v1/elevator/EL-0002`);
    await b.restartBroker();
    expect(await retainedOnSubscribe(b.port, 'EL-0002', b.secrets['EL-0002']!, 1)).toEqual([{ topic: 'tw/v1/elevator/EL-0002/cmd/reboot', payload: 'now', retain: true }]);
  });
});
