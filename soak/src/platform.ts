import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, waitForHttp, waitForPort } from '@tianwang/core/testing';
import { processHandle, type ProcessHandle } from './process-handle.js';
import type { Infra } from './infra.js';

/**
 * The distributed platform, each service its own process (README "Run modes"): 2 broker nodes, 2 ingest and
 * 2 alerts workers, streams and the dashboard, all against the same Redis, InfluxDB and PostgreSQL.
 */
export interface Platform {
  brokers: ProcessHandle[];
  ingest: ProcessHandle[];
  alerts: ProcessHandle[];
  streams: ProcessHandle;
  dashboard: ProcessHandle;
  all(): ProcessHandle[];
  ports: { brokers: number[]; dashboard: number; streamsHttp: number; rtmp: number; alertsMetrics: number[]; ingestMetrics: number[] };
  prefix: string;
  secretKey: string;
  stop(): Promise<void>;
}

export const ROOT = new URL('../..', import.meta.url).pathname;
export const SOAK_SECRET_KEY = 'soak-secret-key-0123456789abcdef0123456789';

function entry(svc: string, fromSource: boolean): { cmd: string; args: string[] } {
  return fromSource
    ? { cmd: process.execPath, args: ['--conditions=@tianwang/source', '--import', 'tsx', join(ROOT, svc, 'src/main.ts')] }
    : { cmd: process.execPath, args: [join(ROOT, svc, 'dist/main.js')] };
}

export async function startPlatform(infra: Infra, o: { dir: string; fromSource: boolean; publicUrl: (dashboardPort: number) => string; smsFailover: string }): Promise<Platform> {
  const prefix = 'soak';
  const secretKey = SOAK_SECRET_KEY;
  const ports = {
    brokers: [await freePort(), await freePort()],
    brokerMetrics: [await freePort(), await freePort()],
    ingestMetrics: [await freePort(), await freePort()],
    alertsMetrics: [await freePort(), await freePort()],
    streamsHttp: await freePort(),
    rtmp: await freePort(),
    streamsMetrics: await freePort(),
    dashboard: await freePort(),
  };
  const common: NodeJS.ProcessEnv = {
    NODE_ENV: 'development',
    TW_LOG_LEVEL: 'info',
    TW_REDIS_URL: infra.redis.url,
    TW_KEY_PREFIX: prefix,
    DATABASE_URL: infra.pg.url,
    TW_SECRET_KEY: secretKey,
    TW_PUBLIC_URL: o.publicUrl(ports.dashboard),
    TW_INFLUX_URL: infra.influx.url,
    TW_INFLUX_API: 'v1',
    TW_INFLUX_DATABASE: infra.influxDb,
    TW_MQTT_SERVICE_PASSWORD: 'soak-service-master-password',
  };
  const logs = join(o.dir, 'logs');
  await mkdir(logs, { recursive: true });
  const node = async (name: string, svc: string, env: NodeJS.ProcessEnv, ready: () => Promise<void>) => {
    const dataDir = join(o.dir, 'data', name);
    await mkdir(dataDir, { recursive: true });
    const { cmd, args } = entry(svc, o.fromSource);
    return processHandle(name, cmd, args, { cwd: ROOT, env: { ...common, TW_DATA_DIR: dataDir, ...env }, logFile: join(logs, `${name}.log`), ready });
  };
  const metricsUp = (port: number) => () => waitForHttp(`http://127.0.0.1:${port}/metrics`, 120_000);
  const brokers = await Promise.all(
    [0, 1].map((i) =>
      node(`broker-${i + 1}`, 'broker', {
        TW_MQTT_HOST: '127.0.0.1',
        TW_MQTT_PORT: String(ports.brokers[i]),
        TW_BROKER_METRICS_PORT: String(ports.brokerMetrics[i]),
        TW_MQTT_NODE_ID: `broker-${i + 1}`,
        // every terminal reaches the nodes through HAProxy, so all of them share one peer address (docs/operations.md)
        TW_MQTT_LOGIN_PENDING_MAX: '20000',
      }, () => waitForPort(ports.brokers[i]!, 120_000)),
    ),
  );
  const ingest = await Promise.all(
    [0, 1].map((i) =>
      node(`ingest-${i + 1}`, 'ingest', {
        TW_INGEST_METRICS_PORT: String(ports.ingestMetrics[i]),
        // a killed worker's entries are taken over after 10 s instead of 30 s, so the schedule fits in minutes
        TW_INGEST_CLAIM_IDLE_MS: '10000',
        // every telemetry message stored, so that each acknowledged message can be found again (messageCheck);
        // store by exception keeps only changes, and its own guarantee (killed workers, replays, order across
        // workers) is checked by ingest's store-fidelity tests (docs/ingest.md, Fidelity guarantee)
        TW_INGEST_STORE: 'all',
      }, metricsUp(ports.ingestMetrics[i]!)),
    ),
  );
  const alerts = await Promise.all(
    [0, 1].map((i) =>
      node(`alerts-${i + 1}`, 'alerts', {
        TW_ALERTS_METRICS_PORT: String(ports.alertsMetrics[i]),
        TW_SMS_PROVIDER: 'aliyun',
        TW_SMS_FAILOVER: o.smsFailover,
        TW_ALIYUN_ENDPOINT: infra.sms.url,
        TW_ALIYUN_ACCESS_KEY_ID: infra.sms.accessKeyId,
        TW_ALIYUN_ACCESS_KEY_SECRET: infra.sms.accessKeySecret,
        // escalation in minutes, the shortest the configuration allows, so a run sees every stage
        TW_ESCALATE_PRINCIPAL_MIN: '1',
        TW_ESCALATE_INSPECTOR_MIN: '2',
        // 2 s doubling, capped at 30 s (TW_SMS_BACKOFF_MAX_MS), over 10 attempts rides out 2.5–3 minutes of provider
        // trouble, more than the long run's 2 minutes of it (the default 6 attempts ≈ 1 minute)
        TW_SMS_MAX_ATTEMPTS: '10',
      }, metricsUp(ports.alertsMetrics[i]!)),
    ),
  );
  const streams = await node('streams', 'streams', {
    TW_STREAMS_HOST: '127.0.0.1',
    TW_STREAMS_HTTP_PORT: String(ports.streamsHttp),
    TW_RTMP_PORT: String(ports.rtmp),
    TW_STREAMS_METRICS_PORT: String(ports.streamsMetrics),
    TW_STREAMS_PUBLIC_URL: `http://127.0.0.1:${ports.streamsHttp}`,
    TW_PUBLIC_VIEWERS_PER_IP: '1000',
    TW_CAMERA_HEALTH_MODE: 'off',
  }, () => waitForPort(ports.streamsHttp, 120_000));
  const dashboard = await node('dashboard', 'dashboard', {
    TW_HTTP_HOST: '127.0.0.1',
    TW_HTTP_PORT: String(ports.dashboard),
    // the relay its grants and inspectors' URLs point to
    TW_STREAMS_PUBLIC_URL: `http://127.0.0.1:${ports.streamsHttp}`,
    TW_STREAMS_HTTP_PORT: String(ports.streamsHttp),
    // every player reaches the dashboard through HAProxy from one address, and they watch the same few kitchens
    TW_PUBLIC_REQUESTS_PER_MIN: '100000',
    TW_PUBLIC_VIEWERS_PER_KITCHEN: '100000',
    // a grant lasts a minute: the players renew theirs (the relay ends each session at its grant's expiry) in every run
    TW_PUBLIC_VIEW_S: '60',
  }, () => waitForPort(ports.dashboard, 120_000));
  const all = () => [...brokers, ...ingest, ...alerts, streams, dashboard];
  // one after the other: the first start runs the registry migrations, and a loaded 2-core machine starts
  // eight Node processes faster in sequence than all at once
  for (const p of all()) await p.start();
  return {
    brokers,
    ingest,
    alerts,
    streams,
    dashboard,
    all,
    ports: { brokers: ports.brokers, dashboard: ports.dashboard, streamsHttp: ports.streamsHttp, rtmp: ports.rtmp, alertsMetrics: ports.alertsMetrics, ingestMetrics: ports.ingestMetrics },
    prefix,
    secretKey,
    async stop() {
      for (const p of all().reverse()) await p.kill('SIGTERM');
    },
  };
}
