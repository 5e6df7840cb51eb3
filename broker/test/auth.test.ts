import { startRedis, type RedisServer } from '@tianwang/core/testing';
import type { Registry } from '@tianwang/core/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerService } from '../src/index.js';
import { connect, device, MASTER, memoryLog, metricValue, refusedCode, seededRegistry, service, startTestBroker, waitFor } from './helpers.js';
import { servicePassword } from '../src/service-accounts.js';

describe('authentication', () => {
  let redis: RedisServer;
  let registry: Registry;
  let secrets: Record<string, string>;
  let broker: BrokerService;
  let port: number;
  const logged = memoryLog();

  beforeAll(async () => {
    redis = await startRedis();
    ({ registry, secrets } = await seededRegistry([
      { id: 'EL-0001', kind: 'elevator' }, { id: 'EL-0002', kind: 'elevator', enabled: false }, { id: 'BO-0001', kind: 'boiler' }, { id: 'EL-0003', kind: 'elevator' },
    ]));
    ({ broker, port } = await startTestBroker({ redisUrl: redis.url, devices: registry.devices, log: logged.log, env: { TW_MQTT_AUTH_CACHE_MS: '300' } }));
  });
  afterAll(async () => {
    await broker?.stop();
    await registry?.close();
    await redis?.stop();
  });

  it('accepts a device with its ID as client ID and username and its secret', async () => {
    const c = await device(port, 'EL-0001', secrets['EL-0001'] as string);
    expect(c.connected).toBe(true);
    await c.endAsync();
  });

  it('refuses a wrong secret, an unknown device, a disabled device and an anonymous client', async () => {
    expect(await refusedCode(device(port, 'EL-0001', 'wrong-secret'))).toBe(4);
    expect(await refusedCode(device(port, 'EL-9999', secrets['EL-0001'] as string))).toBe(4);
    expect(await refusedCode(device(port, 'EL-0002', secrets['EL-0002'] as string))).toBe(5);
    expect(await refusedCode(connect(`mqtt://127.0.0.1:${port}`, { clientId: 'EL-0001' }))).toBe(5);
    expect(await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'bad_secret' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'unknown_device' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'disabled' })).toBeGreaterThanOrEqual(1);
    expect(await metricValue(broker, 'tw_mqtt_auth_failures_total', { reason: 'anonymous' })).toBeGreaterThanOrEqual(1);
    const refusals = logged.lines.filter((l) => l.includes('login refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(4);
    // the secrets tried are never logged
    expect(logged.lines.join('\n')).not.toContain('wrong-secret');
    expect(logged.lines.join('\n')).not.toContain(secrets['EL-0002']);
  });

  it('refuses a device whose client ID is not its device ID (no session takeover) with 0x02', async () => {
    expect(await refusedCode(device(port, 'EL-0001', secrets['EL-0001'] as string, { clientId: 'EL-0003' }))).toBe(2);
    expect(await refusedCode(device(port, 'EL-0003', secrets['EL-0001'] as string))).toBe(4);
  });

  it('refuses a will outside the device\'s own status topic', async () => {
    const will = { topic: 'tw/v1/elevator/EL-0003/status', payload: Buffer.from('{"online":false}'), qos: 1 as const, retain: true };
    expect(await refusedCode(device(port, 'EL-0001', secrets['EL-0001'] as string, { will }))).toBe(5);
  });

  it('service accounts log in with their derived password and a svc: client ID, nothing else', async () => {
    const c = await service(port, 'ingest');
    await c.endAsync();
    expect(await refusedCode(connect(`mqtt://127.0.0.1:${port}`, { clientId: 'svc:ingest:x', username: 'svc:ingest', password: MASTER }))).toBe(4);
    expect(await refusedCode(connect(`mqtt://127.0.0.1:${port}`, { clientId: 'svc:alerts:x', username: 'svc:alerts', password: servicePassword(MASTER, 'ingest') }))).toBe(4);
    // a service may not use a device's client ID
    expect(await refusedCode(service(port, 'dashboard', { clientId: 'EL-0001' }))).toBe(2);
    expect(await refusedCode(connect(`mqtt://127.0.0.1:${port}`, { clientId: 'svc:root:x', username: 'svc:root', password: 'x' }))).toBe(4);
    // sim-admin is off unless TW_MQTT_SIM_ADMIN
    expect(await refusedCode(service(port, 'sim-admin'))).toBe(5);
  });

  it('disabling a device or rotating its secret disconnects it within seconds', async () => {
    const c = await device(port, 'EL-0003', secrets['EL-0003'] as string);
    let closedAt = 0;
    c.on('close', () => (closedAt ||= Date.now()));
    await registry.devices.setEnabled('EL-0003', false);
    const t0 = Date.now();
    await waitFor(() => closedAt > 0, 3000, 'disconnect after disabling');
    expect(closedAt - t0).toBeLessThan(2000);
    c.end(true);
    expect(await refusedCode(device(port, 'EL-0003', secrets['EL-0003'] as string))).toBe(5);
    expect(await metricValue(broker, 'tw_mqtt_disconnects_total', { reason: 'revoked' })).toBe(1);
  });
});
