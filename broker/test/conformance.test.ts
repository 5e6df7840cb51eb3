import { connect as netConnect } from 'node:net';
import { hashSecret } from '@tianwang/core/crypto';
import { startRedis, type RedisServer, waitFor, sleep } from '@tianwang/core/testing';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryDeviceSource, type BrokerService } from '../src/index.js';
import { servicePassword } from '../src/policy/service-accounts.js';
import { connect, device, MASTER, service, startTestBroker } from './helpers.js';

const SECRET = '0123456789abcdef0123456789abcdef';
const devices = memoryDeviceSource(['EL-0001'].map((id) => ({ id, kind: 'elevator' as const, enabled: true, credentialHash: hashSecret(SECRET), unitId: 'U1', districtId: 'D1' })));

describe('MQTT 3.1.1 corner cases', () => {
  let redis: RedisServer;
  let broker: BrokerService;
  let port: number;
  let prefix: string;
  const extra: BrokerService[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    ({ broker, port, prefix } = await startTestBroker({ redisUrl: redis.url, devices }));
  });
  afterAll(async () => {
    for (const b of extra) await b.stop();
    await broker?.stop();
    await redis?.stop();
  });

  it('[MQTT-3.1.3-8] an empty client ID needs a clean session; [MQTT-3.1.3-9] it is then refused with 0x02', async () => {
    // mqtt.js will not even send this, so a raw CONNECT
    const socket = netConnect(port, '127.0.0.1');
    socket.on('error', () => {});
    const connack = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    const str = (v: string) => {
      const b = Buffer.from(v);
      return Buffer.concat([Buffer.from([b.length >> 8, b.length & 255]), b]);
    };
    // protocol name, level 4, flags: user name + password, clean session 0; keepalive 30; empty client ID
    const body = Buffer.concat([str('MQTT'), Buffer.from([4, 0xc0, 0, 30]), str(''), str('svc:dashboard'), str(servicePassword(MASTER, 'dashboard'))]);
    socket.write(Buffer.concat([Buffer.from([0x10, body.length]), body]));
    expect([...(await connack)]).toEqual([0x20, 2, 0, 2]);
    socket.destroy();
    const ok = await connect(`mqtt://127.0.0.1:${port}`, { clientId: '', clean: true, username: 'svc:dashboard', password: servicePassword(MASTER, 'dashboard') });
    await ok.endAsync();
  });

  it('[MQTT-3.1.0-2] a second CONNECT on one connection closes it', async () => {
    const socket = netConnect(port, '127.0.0.1');
    const conn = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'EL-0001', keepalive: 30, username: 'EL-0001', password: Buffer.from(SECRET) });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    let connacks = 0;
    socket.on('data', (b: Buffer) => {
      if (b[0] === 0x20) connacks++;
      if (connacks === 1) socket.write(conn);
    });
    socket.on('error', () => {});
    socket.write(conn);
    await closed;
    expect(connacks).toBe(1);
  });

  it('[MQTT-3.3.1-6] a retained status is sent to a later subscriber, also from a restarted node, and an empty retained payload clears it [MQTT-3.3.1-10]', async () => {
    const dev = await device(port, 'EL-0001', SECRET);
    await dev.publishAsync('tw/v1/elevator/EL-0001/status', '{"online":true}', { qos: 1, retain: true });
    await dev.endAsync();
    const other = await startTestBroker({ redisUrl: redis.url, devices, prefix });
    extra.push(other.broker);
    const dash = await service(other.port, 'dashboard');
    const got: { payload: string; retain: boolean }[] = [];
    dash.on('message', (_t, p, packet) => got.push({ payload: p.toString(), retain: packet.retain }));
    await dash.subscribeAsync('tw/v1/+/+/status', { qos: 1 });
    await waitFor(() => got.length === 1, { timeoutMs: 5000, what: 'retained status' });
    expect(got[0]).toEqual({ payload: '{"online":true}', retain: true });
    const dev2 = await device(port, 'EL-0001', SECRET);
    await dev2.publishAsync('tw/v1/elevator/EL-0001/status', '', { qos: 1, retain: true });
    await dev2.endAsync();
    const late = await service(other.port, 'dashboard');
    let retained = 0;
    late.on('message', () => retained++);
    await late.subscribeAsync('tw/v1/+/+/status', { qos: 1 });
    await sleep(300);
    expect(retained).toBe(0);
    await Promise.all([dash.endAsync(), late.endAsync()]);
  });
});
