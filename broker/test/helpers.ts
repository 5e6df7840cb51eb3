import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '@tianwang/core/config';
import { createLogger, type Logger } from '@tianwang/core/log';
import { pipelineKeys, type PipelineKeys } from '@tianwang/core/pipeline';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { freePort, seedTestWorld, startRedis, type RedisServer } from '@tianwang/core/testing';
import { Redis } from 'ioredis';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll } from 'vitest';
import { createBroker, type BrokerService, type DeviceAuthSource } from '../src/index.js';
import { servicePassword, type ServiceAccount } from '../src/policy/service-accounts.js';

export const MASTER = 'test-master-service-password-0123456789';

/** A registry (in-memory PGlite) holding core's test world with the given devices; returns their secrets. */
export async function seededRegistry(devices: { id: string; kind: 'elevator' | 'boiler'; enabled?: boolean }[]): Promise<{ registry: Registry; secrets: Record<string, string> }> {
  const registry = await openRegistry();
  const { secrets } = await seedTestWorld(registry, { devices });
  return { registry, secrets };
}

/** Captures log lines (JSON) in memory, to assert on what is logged and what never is. */
export function memoryLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const dest = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
  return { log: createLogger({ level: 'debug' }, dest), lines };
}

export interface TestBrokerOptions {
  redisUrl: string;
  devices: DeviceAuthSource;
  prefix?: string;
  env?: Record<string, string>;
  log?: Logger;
}

export async function startTestBroker(o: TestBrokerOptions): Promise<{ broker: BrokerService; port: number; prefix: string }> {
  const prefix = o.prefix ?? `t${randomUUID().slice(0, 8)}`;
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'test', TW_REDIS_URL: o.redisUrl, TW_KEY_PREFIX: prefix, TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: String(port),
    TW_MQTT_SERVICE_PASSWORD: MASTER,
    // tests log in and fail many times from 127.0.0.1; login-limits.test.ts sets its own limits
    TW_MQTT_LOGIN_FAILURE_RATE: '1000', TW_MQTT_LOGIN_FAILURE_BURST: '1000', ...o.env,
  });
  const broker = createBroker(config, { devices: o.devices, log: o.log ?? createLogger({ level: 'silent' }) });
  await broker.start();
  return { broker, port, prefix };
}

export interface BrokerSuiteOptions {
  /** devices seeded in core's test world in a PGlite registry (their secrets in `secrets`); or */
  seed?: { id: string; kind: 'elevator' | 'boiler'; enabled?: boolean }[];
  /** an auth source of the file's own (memoryDeviceSource) */
  devices?: DeviceAuthSource;
  env?: Record<string, string>;
}

export interface BrokerSuite {
  readonly redisServer: RedisServer;
  /** a client of that Redis, opened on first use */
  readonly redis: Redis;
  readonly registry: Registry;
  readonly secrets: Record<string, string>;
  readonly broker: BrokerService;
  readonly port: number;
  readonly prefix: string;
  readonly keys: PipelineKeys;
  /** stops the broker and starts a new one on the same Redis, devices and prefix (a new port) */
  restartBroker(): Promise<void>;
}

/**
 * A Redis, the seeded registry (or the given device source) and a broker on them for the enclosing `describe`:
 * started in `beforeAll`, stopped in `afterAll` (broker first). Call it at the top of a describe:
 * `const b = brokerPerSuite({ seed: [{ id: 'EL-0001', kind: 'elevator' }] });`, then `b.port`, `b.secrets` in tests.
 */
export function brokerPerSuite(o: BrokerSuiteOptions): BrokerSuite {
  let started: { redisServer: RedisServer; registry?: Registry; secrets: Record<string, string>; broker: BrokerService; port: number; prefix: string } | undefined;
  let client: Redis | undefined;
  let redisServer: RedisServer | undefined;
  let registry: Registry | undefined;
  const devices = () => {
    const d = registry?.devices ?? o.devices;
    if (!d) throw new Error('brokerPerSuite: give `seed` or `devices`');
    return d;
  };
  beforeAll(async () => {
    redisServer = await startRedis();
    let secrets: Record<string, string> = {};
    if (o.seed) ({ registry, secrets } = await seededRegistry(o.seed));
    const { broker, port, prefix } = await startTestBroker({ redisUrl: redisServer.url, devices: devices(), env: o.env });
    started = { redisServer, registry, secrets, broker, port, prefix };
  });
  afterAll(async () => {
    await started?.broker.stop();
    client?.disconnect();
    await registry?.close();
    await redisServer?.stop();
  });
  const get = () => {
    if (!started) throw new Error('brokerPerSuite: the broker is not started (use it inside a test)');
    return started;
  };
  return {
    get redisServer() { return get().redisServer; },
    get redis() { return (client ??= new Redis(get().redisServer.url)); },
    get registry() {
      const r = get().registry;
      if (!r) throw new Error('brokerPerSuite: no registry (give `seed`)');
      return r;
    },
    get secrets() { return get().secrets; },
    get broker() { return get().broker; },
    get port() { return get().port; },
    get prefix() { return get().prefix; },
    get keys() { return pipelineKeys(get().prefix); },
    async restartBroker() {
      const s = get();
      await s.broker.stop();
      ({ broker: s.broker, port: s.port } = await startTestBroker({ redisUrl: s.redisServer.url, devices: devices(), prefix: s.prefix, env: o.env }));
    },
  };
}

export function connect(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 5000, protocolVersion: 4, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
    c.once('close', () => reject(new Error('closed before CONNACK')));
  });
}

export const device = (port: number, id: string, secret: string, extra: IClientOptions = {}) =>
  connect(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: secret, ...extra });

export const service = (port: number, account: ServiceAccount, extra: IClientOptions = {}) =>
  connect(`mqtt://127.0.0.1:${port}`, { clientId: `svc:${account}:${randomUUID().slice(0, 6)}`, username: `svc:${account}`, password: servicePassword(MASTER, account), ...extra });

/** The CONNACK return code a refused CONNECT got (mqtt.js reports it as err.code). */
export async function refusedCode(p: Promise<MqttClient>): Promise<number | string> {
  try {
    const c = await p;
    c.end(true);
    return 0;
  } catch (err) {
    return (err as { code?: number | string }).code ?? (err as Error).message;
  }
}

export function closed(c: MqttClient, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!c.connected && c.disconnected) return resolve();
    const t = setTimeout(() => reject(new Error('client was not disconnected')), timeoutMs);
    c.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
}

export async function metricValue(broker: BrokerService, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = await broker.metrics.getSingleMetric(name)?.get();
  if (!m) return 0;
  return m.values.filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val)).reduce((s, v) => s + v.value, 0);
}
