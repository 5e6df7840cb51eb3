import { hashSecret } from '@tianwang/core/crypto';
import { readUplinkMessages } from '@tianwang/core/pipeline';
import { waitFor } from '@tianwang/core/testing';
import { describe, expect, it } from 'vitest';
import { memoryDeviceSource } from '../src/index.js';
import { brokerPerSuite, device, service } from './helpers.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const IDS = Array.from({ length: 10 }, (_, i) => `EL-${String(i).padStart(4, '0')}`);
const devices = memoryDeviceSource(IDS.map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));

describe('overload', () => {
  const b = brokerPerSuite({ devices, env: { TW_MQTT_PUBLISH_RATE: '1000000' } });

  it('publishers far past the ceiling, then dropping with a backlog: alive, serving, no acknowledged QoS 1 message lost', async () => {
    const sub = await service(b.port, 'dashboard');
    await sub.subscribeAsync('tw/v1/+/+/telemetry', { qos: 1 });
    const received = new Set<string>();
    sub.on('message', (_t, p) => received.add(p.toString()));

    const acked = new Set<string>();
    let offered = 0;
    const pubs = await Promise.all(IDS.map((id) => device(b.port, id, SECRET)));
    // every publisher fires without waiting for acknowledgements: offered load is whatever the sockets take
    pubs.forEach((c, n) => {
      const topic = `tw/v1/elevator/${IDS[n]}/telemetry`;
      for (let i = 0; i < 4000; i++) {
        const body = `{"d":${n},"i":${i},"pad":"${'x'.repeat(150)}"}`;
        offered++;
        c.publish(topic, body, { qos: 1 }, (err) => !err && acked.add(body));
      }
    });
    // (batch entries made the broker fast enough to take all 40,000 within a fixed wait: cut off once some are in)
    await waitFor(() => acked.size >= 2000, { timeoutMs: 10_000, what: 'some acknowledged' });
    // drop every publisher mid-stream, with unacknowledged messages still queued
    for (const c of pubs) c.end(true);
    expect(acked.size).toBeGreaterThan(0);
    expect(acked.size).toBeLessThan(offered);

    await waitFor(() => [...acked].every((b) => received.has(b)), { timeoutMs: 20_000, what: 'every acknowledged message delivered' });
    const entries = await readUplinkMessages(b.redis, b.keys.uplink);
    const inStream = new Set(entries.filter((e) => e?.kind === 'm').map((e) => e?.payload));
    for (const b of acked) expect(inStream.has(b)).toBe(true);

    // still serving
    const late = await device(b.port, 'EL-0000', SECRET);
    const got = new Promise<string>((resolve) => sub.on('message', (_t, p) => p.toString() === 'after' && resolve('after')));
    await late.publishAsync('tw/v1/elevator/EL-0000/telemetry', 'after', { qos: 1 });
    expect(await got).toBe('after');
    await Promise.all([late.endAsync(), sub.endAsync()]);
  }, 60_000);
});
