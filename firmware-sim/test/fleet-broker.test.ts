import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { parsePayload } from '@tianwang/core/schemas';
import { parseTopic } from '@tianwang/core/topics';
import { createSimulator, generatedFleet, type Simulator } from '../src/index.js';
import { createControlServer } from '../src/control/control-server.js';
import { startMosquitto, type MosquittoServer, waitFor } from '@tianwang/core/testing';

const SECRET = 'fleet-test-secret';
const fleet = generatedFleet({ elevators: 6, boilers: 4, idPrefix: 'T', secret: SECRET });
/** the clean-shutdown test's own fleet: stopping it leaves the shared simulator running for the other tests */
const leaving = generatedFleet({ elevators: 2, boilers: 1, idPrefix: 'S', secret: SECRET });

interface Seen {
  telemetry: Map<string, number>;
  status: Map<string, Record<string, unknown>>;
  events: { device: string; code: string; state: string }[];
  invalid: string[];
}

describe('a fleet against a real broker (mosquitto with password auth)', () => {
  let broker: MosquittoServer;
  let observer: MqttClient;
  let sim: Simulator;
  const seen: Seen = { telemetry: new Map(), status: new Map(), events: [], invalid: [] };

  beforeAll(async () => {
    broker = await startMosquitto([...[...fleet, ...leaving].map((d) => ({ username: d.id, password: d.secret })), { username: 'observer', password: 'obs' }]);
    observer = await mqtt.connectAsync(broker.url, { username: 'observer', password: 'obs', clientId: 'observer', protocolVersion: 4 });
    observer.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (t.channel === 'cmd') return;
      const parsed = parsePayload(t.kind, t.channel, payload);
      if (!parsed.ok) return void seen.invalid.push(`${topic}: ${parsed.message}`);
      if (parsed.channel === 'telemetry') seen.telemetry.set(t.deviceId, (seen.telemetry.get(t.deviceId) ?? 0) + 1);
      if (parsed.channel === 'status') seen.status.set(t.deviceId, parsed.value);
      if (parsed.channel === 'event') seen.events.push({ device: t.deviceId, code: parsed.value.code, state: parsed.value.state });
    });
    await observer.subscribeAsync('tw/v1/#', { qos: 1 });
    const wrong = { id: 'T-EL-WRONG', kind: 'elevator' as const, secret: 'not-the-secret' };
    sim = createSimulator({ brokerUrl: broker.url, devices: [...fleet, wrong], telemetryIntervalMs: 500, confirmMs: 1000, clearMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000 });
    await sim.start();
  });

  afterAll(async () => {
    await sim?.stop();
    await observer?.endAsync();
    await broker?.stop();
  });

  /** every device of the shared fleet has published telemetry twice (the state each test starts from) */
  const fleetUp = () => waitFor(() => fleet.every((d) => (seen.telemetry.get(d.id) ?? 0) >= 2), { timeoutMs: 15_000 });

  it('every device connects with its own credentials and publishes valid status and telemetry', async () => {
    await fleetUp();
    for (const d of fleet) expect(seen.status.get(d.id)).toMatchObject({ state: 'online', interval: 1, firmware: expect.any(String) });
    expect(seen.invalid).toEqual([]);
    expect(sim.stats()).toMatchObject({ devices: 11, connected: 10 });
  });

  it('a device with the wrong secret is refused and keeps retrying with backoff', async () => {
    await waitFor(() => sim.stats().reconnects >= 1, { timeoutMs: 15_000 });
    expect(sim.device('T-EL-WRONG').connected).toBe(false);
    expect(seen.status.has('T-EL-WRONG')).toBe(false);
    expect(sim.stats().errors).toBeGreaterThanOrEqual(1);
  });

  it('live control: trapped on an elevator is reported as event 11, then cleared', async () => {
    await fleetUp();
    const control = createControlServer(sim, { port: 0 });
    await control.start();
    try {
      const auth = { authorization: `Bearer ${control.token}`, 'content-type': 'application/json' };
      expect((await fetch(`${control.url}/devices`)).status).toBe(401);
      expect((await fetch(`${control.url}/devices`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      const bad = await fetch(`${control.url}/faults`, { method: 'POST', headers: auth, body: JSON.stringify({ device: 'T-BL-000001', fault: 'trapped' }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/unknown fault "trapped" for boiler/);
      const res = await fetch(`${control.url}/faults`, { method: 'POST', headers: auth, body: JSON.stringify({ device: 'T-EL-000001', fault: 'trapped' }) });
      expect(res.status).toBe(201);
      await waitFor(() => seen.events.some((e) => e.device === 'T-EL-000001' && e.code === '11' && e.state === 'raised'), { timeoutMs: 15_000 });
      const devices = (await (await fetch(`${control.url}/devices`, { headers: auth })).json()) as { id: string; faults: string[] }[];
      expect(devices.find((d) => d.id === 'T-EL-000001')?.faults).toEqual(['trapped']);
      const del = await fetch(`${control.url}/faults/T-EL-000001/trapped`, { method: 'DELETE', headers: auth });
      expect(del.status).toBe(200);
      await waitFor(() => seen.events.some((e) => e.device === 'T-EL-000001' && e.code === '11' && e.state === 'cleared'), { timeoutMs: 20_000 });
      const stats = (await (await fetch(`${control.url}/stats`, { headers: auth })).json()) as { published: number; acknowledged: { telemetry: number; event: number; status: number } };
      expect(stats.published).toBeGreaterThan(20);
      // PUBACKs by kind (what a soak run compares with what was stored): the raised and cleared events, one online
      // status per connected device, and telemetry; never more than was sent
      const { telemetry, event, status } = stats.acknowledged;
      expect(event).toBeGreaterThanOrEqual(2);
      expect(status).toBeGreaterThanOrEqual(10);
      expect(telemetry).toBeGreaterThan(10);
      expect(telemetry + event + status).toBeLessThanOrEqual(stats.published + 11);
    } finally {
      await control.stop();
    }
  });

  it('offline buffer: what was measured while the link was down arrives after the reconnect', async () => {
    const id = 'T-BL-000002';
    await fleetUp();
    const reconnects = sim.stats().reconnects;
    // the broker drops the client (duplicate clientId takes over), the terminal buffers, reconnects, flushes
    const intruder = await mqtt.connectAsync(broker.url, { username: id, password: SECRET, clientId: id, protocolVersion: 4 });
    await waitFor(() => !sim.device(id).connected, { timeoutMs: 5000 });
    const before = seen.telemetry.get(id) ?? 0;
    await intruder.endAsync();
    await waitFor(() => sim.device(id).connected, { timeoutMs: 10_000 });
    await waitFor(() => (seen.telemetry.get(id) ?? 0) > before + 1, { timeoutMs: 15_000 });
    expect(sim.stats().reconnects).toBeGreaterThan(reconnects);
  });

  it('clean shutdown leaves a retained offline/shutdown status', async () => {
    const own = createSimulator({ brokerUrl: broker.url, devices: leaving, telemetryIntervalMs: 500, confirmMs: 1000, clearMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000 });
    try {
      await own.start();
      await waitFor(() => leaving.every((d) => seen.status.get(d.id)?.state === 'online'), { timeoutMs: 15_000 });
    } finally {
      await own.stop();
    }
    await waitFor(() => leaving.every((d) => seen.status.get(d.id)?.state === 'offline'), { timeoutMs: 15_000 });
    for (const d of leaving) expect(seen.status.get(d.id)).toMatchObject({ state: 'offline', reason: 'shutdown' });
  });
});
