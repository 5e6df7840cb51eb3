import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Registry } from '@tianwang/core/registry';
import { freePort, startRedis, type RedisServer, waitFor } from '@tianwang/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerService } from '../src/index.js';
import { servicePassword } from '../src/policy/service-accounts.js';
import { closed, connect, MASTER, seededRegistry, service, startTestBroker } from './helpers.js';

const run = promisify(execFile);

describe('listeners: TCP, TLS, WebSocket; Debian mosquitto clients', () => {
  let redis: RedisServer;
  let registry: Registry;
  let secrets: Record<string, string>;
  let broker: BrokerService;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tw-tls-'));
    await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]);
    redis = await startRedis();
    ({ registry, secrets } = await seededRegistry([{ id: 'EL-0001', kind: 'elevator' }]));
    ({ broker, port } = await startTestBroker({
      redisUrl: redis.url, devices: registry.devices,
      env: { TW_MQTTS_PORT: String(await freePort()), TW_MQTT_WS_PORT: String(await freePort()), TW_MQTT_TLS_CERT_FILE: join(dir, 'cert.pem'), TW_MQTT_TLS_KEY_FILE: join(dir, 'key.pem') },
    }));
  });
  afterAll(async () => {
    await broker?.stop();
    await registry?.close();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // One abstract suite run against every transport (as MQTT.js tests its transports): the same device, the same
  // checks, only the URL and the connection options differ.
  const transports: { name: string; url: () => string; options: () => Promise<Record<string, unknown>> }[] = [
    { name: 'TCP', url: () => `mqtt://127.0.0.1:${port}`, options: async () => ({}) },
    // checking the server certificate against the test CA
    { name: 'TLS', url: () => `mqtts://127.0.0.1:${broker.ports.tls}`, options: async () => ({ ca: await readFile(join(dir, 'cert.pem')) }) },
    { name: 'WebSocket (/mqtt)', url: () => `ws://127.0.0.1:${broker.ports.ws}/mqtt`, options: async () => ({}) },
  ];

  describe.each(transports)('over $name', (t) => {
    it('a device connects and publishes at QoS 1; a service subscribed on TCP receives it', async () => {
      const sub = await service(port, 'dashboard');
      await sub.subscribeAsync('tw/v1/+/+/telemetry', { qos: 1 });
      const got = new Promise<string>((resolve) => sub.once('message', (_t, p) => resolve(p.toString())));
      const c = await connect(t.url(), { clientId: 'EL-0001', username: 'EL-0001', password: secrets['EL-0001'], ...(await t.options()) });
      await c.publishAsync('tw/v1/elevator/EL-0001/telemetry', `over ${t.name}`, { qos: 1 });
      expect(await got).toBe(`over ${t.name}`);
      await Promise.all([c.endAsync(), sub.endAsync()]);
    });

    it('refuses a wrong secret as every listener does', async () => {
      await expect(connect(t.url(), { clientId: 'EL-0001', username: 'EL-0001', password: 'nope', ...(await t.options()) })).rejects.toThrow();
    });

    it("disconnects a device that publishes on another device's topic (MQTT 3.1.1: a refused publish closes the connection)", async () => {
      const c = await connect(t.url(), { clientId: 'EL-0001', username: 'EL-0001', password: secrets['EL-0001'], ...(await t.options()) });
      const gone = closed(c);
      c.publish('tw/v1/elevator/EL-9999/telemetry', 'not mine', { qos: 1 });
      await gone;
      expect(c.connected).toBe(false);
      await c.endAsync(true);
    });
  });

  it('works with mosquitto_sub and mosquitto_pub (QoS 1, TLS too)', async () => {
    const sub = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', 'svc:dashboard:mosq', '-u', 'svc:dashboard',
      '-P', servicePassword(MASTER, 'dashboard'), '-t', 'tw/v1/+/+/telemetry', '-q', '1', '-C', '2', '-W', '10']);
    let out = '';
    sub.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    // publish only once the broker holds mosquitto_sub's subscription (under load that can take seconds)
    const clients = () => (broker.aedes as unknown as { clients: Record<string, { subscriptions?: Record<string, unknown> }> }).clients;
    await waitFor(() => !!clients()['svc:dashboard:mosq']?.subscriptions?.['tw/v1/+/+/telemetry'], { what: 'mosquitto_sub to be subscribed' });
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', 'EL-0001', '-u', 'EL-0001', '-P', secrets['EL-0001'] as string,
      '-t', 'tw/v1/elevator/EL-0001/telemetry', '-q', '1', '-m', 'from-mosquitto']);
    await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(broker.ports.tls), '--cafile', join(dir, 'cert.pem'), '-V', 'mqttv311', '-i', 'EL-0001', '-u', 'EL-0001',
      '-P', secrets['EL-0001'] as string, '-t', 'tw/v1/elevator/EL-0001/telemetry', '-q', '1', '-m', 'from-mosquitto-tls']);
    expect(await exited).toBe(0);
    expect(out.trim().split('\n')).toEqual(['from-mosquitto', 'from-mosquitto-tls']);
    // a refused login is reported by mosquitto_pub as such
    await expect(run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(port), '-i', 'EL-0001', '-u', 'EL-0001', '-P', 'bad', '-t', 'x', '-m', 'x'])).rejects.toThrow();
  });
});
