import { readUplinkMessages } from '@tianwang/core/pipeline';
import { waitFor, sleep } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { brokerPerSuite, device } from './helpers.js';

async function entries(redis: Redis, key: string) {
  return (await readUplinkMessages(redis, key)).map(({ id: _id, index: _index, ...e }) => e);
}

describe('uplink pipeline and presence', () => {
  const b = brokerPerSuite({ seed: [{ id: 'EL-0001', kind: 'elevator' }, { id: 'BO-0001', kind: 'boiler' }] });

  it('appends accepted publishes and presence entries to the uplink stream', async () => {
    // its own entries: EL-0001's after what the stream held already (the other tests append too, a frozen BO-0001's
    // keepalive disconnect maybe just after this mark)
    const before = await b.redis.xlen(b.keys.uplink);
    const c = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string);
    await c.publishAsync('tw/v1/elevator/EL-0001/telemetry', '{"floor":7,"名":"梯"}', { qos: 1 });
    c.publish('tw/v1/elevator/EL-0001/event', '{"code":"11"}', { qos: 0 });
    await c.endAsync();
    const own = async () => (await entries(b.redis, b.keys.uplink)).slice(before).filter((e) => e?.clientId === 'EL-0001');
    await waitFor(async () => (await own()).length >= 4, { timeoutMs: 3000, what: 'four entries' });
    const list = await own();
    expect(list.map((e) => e?.kind)).toEqual(['o', 'm', 'm', 'x']);
    expect(list[0]).toMatchObject({ topic: 'tw/v1/elevator/EL-0001/status', clientId: 'EL-0001' });
    expect(JSON.parse(list[0]?.payload ?? '')).toMatchObject({ ip: '127.0.0.1', transport: 'tcp' });
    expect(list[1]).toMatchObject({ topic: 'tw/v1/elevator/EL-0001/telemetry', payload: '{"floor":7,"名":"梯"}', clientId: 'EL-0001' });
    expect(Math.abs((list[1]?.receivedAt ?? 0) - Date.now())).toBeLessThan(10_000);
    expect(list[3]).toMatchObject({ kind: 'x', payload: 'disconnect', topic: 'tw/v1/elevator/EL-0001/status' });
  });

  it('sends the QoS 1 PUBACK only after Redis has the message', async () => {
    const c = await device(b.port, 'BO-0001', b.secrets['BO-0001'] as string);
    const before = await b.redis.xlen(b.keys.uplink);
    // freeze Redis: the XADD cannot complete, so the PUBACK must not come
    b.redisServer.child.kill('SIGSTOP');
    let ackedAt = 0;
    c.publish('tw/v1/boiler/BO-0001/telemetry', '{"p":1.0}', { qos: 1 }, () => (ackedAt = Date.now()));
    await sleep(700);
    expect(ackedAt).toBe(0);
    const resumedAt = Date.now();
    b.redisServer.child.kill('SIGCONT');
    await waitFor(() => ackedAt > 0, { timeoutMs: 5000, what: 'PUBACK after Redis resumed' });
    expect(ackedAt).toBeGreaterThanOrEqual(resumedAt);
    expect(await b.redis.xlen(b.keys.uplink)).toBe(before + 1);
    await c.endAsync();
  });

  it('a lost connection publishes the will and records lwt; a keepalive timeout records keepalive', async () => {
    const will = { topic: 'tw/v1/elevator/EL-0001/status', payload: Buffer.from('{"online":false}'), qos: 1 as const, retain: true };
    const c = await device(b.port, 'EL-0001', b.secrets['EL-0001'] as string, { will });
    c.stream.destroy();
    c.end(true);
    await waitFor(async () => (await entries(b.redis, b.keys.uplink)).some((e) => e?.kind === 'x' && e.payload === 'lwt'), { timeoutMs: 3000, what: 'lwt presence' });
    const list = await entries(b.redis, b.keys.uplink);
    const i = list.findIndex((e) => e?.kind === 'x' && e.payload === 'lwt');
    // the will itself went through the pipeline just before the offline entry
    expect(list[i - 1]).toMatchObject({ kind: 'm', payload: '{"online":false}', topic: 'tw/v1/elevator/EL-0001/status' });

    // keepalive 1 s: no packet for 1.5 s closes the session [MQTT-3.1.2-24]
    const k = await device(b.port, 'BO-0001', b.secrets['BO-0001'] as string, { keepalive: 1 });
    (k as unknown as { _sendPacket: unknown })._sendPacket = () => {}; // a frozen terminal: nothing leaves it any more
    await waitFor(async () => (await entries(b.redis, b.keys.uplink)).some((e) => e?.kind === 'x' && e.payload === 'keepalive' && e.clientId === 'BO-0001'), { timeoutMs: 5000, what: 'keepalive presence' });
    k.end(true);
  });
});
