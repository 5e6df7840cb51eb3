import { createAlerts, createConsoleProvider } from '@tianwang/alerts';
import { createBroker } from '@tianwang/broker';
import type { PlatformConfig } from '@tianwang/core/config';
import { resolveDevSecret } from '@tianwang/core/crypto';
import { generateDemoDistrict, loadDemoDistrict, type DemoDistrict } from '@tianwang/core/demo';
import type { Logger } from '@tianwang/core/log';
import type { Registry as MetricsRegistry } from '@tianwang/core/metrics';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { Shutdown, type Service } from '@tianwang/core/service';
import { createDashboard } from '@tianwang/dashboard';
import { createSimulator, createControlServer, createCameraFleet, type CameraSpec, type Simulator } from '@tianwang/firmware-sim';
import { createIngest } from '@tianwang/ingest';
import { createStreams } from '@tianwang/streams';
import { Redis } from 'ioredis';
import { writeDemoLogins } from './demo-logins.js';
import { DEMO_RTSP_PORT, disableOtherCameras, pickDemoCameras, demoDeviceSpecs } from './demo-fleet.js';

export interface AllInOneInfo {
  dashboardUrl: string;
  mqttUrl: string;
  streamsUrl: string;
  rtmpUrl: string;
  loginsFile?: string;
  demo?: DemoDistrict;
  control?: { url: string; token: string };
  simulatedDevices: number;
  simulatedCameras: number;
}

export interface AllInOne extends Service {
  /** what the banner prints; filled in by start() */
  readonly info: AllInOneInfo | undefined;
  readonly registry: Registry | undefined;
  readonly simulator: Simulator | undefined;
  /** messages the development (console) SMS provider sent, newest last */
  readonly sentSms: readonly { to: string; text: string }[];
}

export interface AllInOneOptions {
  /** development SMS provider: log the messages instead of printing them to stdout (tests) */
  quietSms?: boolean;
}

/**
 * Every service in one process (all-in-one mode): registry, broker, ingest, alerts, streams, dashboard,
 * and, with the demo district, the simulator driving its devices and a few cameras. The services are the
 * same factories the distributed mode runs one per process.
 */
export function createAllInOne(config: PlatformConfig, log: Logger, options: AllInOneOptions = {}): AllInOne {
  const shutdown = new Shutdown(log);
  let info: AllInOneInfo | undefined;
  let registry: Registry | undefined;
  let simulator: Simulator | undefined;
  // prints each SMS to stdout, so a person running the demo reads what the unit would receive
  const consoleProvider = createConsoleProvider(options.quietSms ? log : undefined);

  async function startSteps(): Promise<void> {
    const dataDir = config.common.dataDir;
    const masterSecret = await resolveDevSecret(dataDir, 'secret.key', config.common.secretKey);
    const serviceMaster = await resolveDevSecret(dataDir, 'service-password', config.broker.mqttServicePassword);
    const cfg: PlatformConfig = {
      ...config,
      common: { ...config.common, secretKey: masterSecret },
      broker: { ...config.broker, mqttServicePassword: serviceMaster },
    };

    const reg = await openRegistry({ databaseUrl: cfg.common.databaseUrl, dataDir });
    registry = reg;
    shutdown.add('registry', () => reg.close());

    let demo: DemoDistrict | undefined;
    let loginsFile: string | undefined;
    let demoCameras: CameraSpec[] = [];
    if (cfg.platform.demo) {
      demo = generateDemoDistrict(cfg.platform.demoSeed);
      const summary = await loadDemoDistrict(reg, demo, { masterSecret });
      loginsFile = await writeDemoLogins(dataDir, demo);
      log.info(summary, 'demo district loaded');
      demoCameras = pickDemoCameras(demo, cfg.platform.demoCameras);
      // cameras nobody simulates would all raise "offline" alarms: the demo keeps them disabled (before streams starts)
      const disabled = await disableOtherCameras(reg, demoCameras.map((c) => c.id));
      if (disabled) log.info({ simulated: demoCameras.length, disabled }, 'demo: cameras without a simulator are disabled');
    }

    const metrics: MetricsRegistry[] = [];
    const broker = createBroker(cfg, { devices: reg.devices, log });
    await broker.start();
    shutdown.add('broker', () => broker.stop());
    metrics.push(broker.metrics);

    const ingest = createIngest(cfg, { registry: reg, log });
    await ingest.start();
    shutdown.add('ingest', () => ingest.stop());
    metrics.push(ingest.metrics);

    const sms = cfg.alerts.smsProvider === 'console' ? { providers: { primary: consoleProvider } } : {};
    const alerts = createAlerts(cfg, { registry: reg, log, masterSecret, ...sms });
    await alerts.start();
    shutdown.add('alerts', () => alerts.stop());
    metrics.push(alerts.metrics);

    const healthRedis = new Redis(cfg.common.redisUrl, { lazyConnect: true, connectionName: 'tw-streams-health' });
    healthRedis.on('error', (err: Error) => log.debug({ err }, 'streams redis error'));
    await healthRedis.connect();
    shutdown.add('streams redis', () => healthRedis.quit().catch(() => healthRedis.disconnect()));
    const streams = createStreams(cfg, { registry: reg, log, redis: healthRedis });
    await streams.start();
    shutdown.add('streams', () => streams.stop());
    metrics.push(streams.metrics);

    const dashboard = createDashboard(cfg, { registry: reg, log, masterSecret, extraMetrics: metrics });
    await dashboard.start();
    shutdown.add('dashboard', () => dashboard.stop());

    const mqttUrl = `mqtt://127.0.0.1:${broker.ports.tcp ?? cfg.broker.mqttPort}`;
    const rtmpUrl = `rtmp://127.0.0.1:${cfg.streams.rtmpPort}`;
    let control: AllInOneInfo['control'];
    let simulatedDevices = 0;
    let simulatedCameras = 0;
    if (demo && cfg.platform.demoDevices > 0) {
      const devices = demoDeviceSpecs(demo).slice(0, cfg.platform.demoDevices);
      const sim = createSimulator({ brokerUrl: mqttUrl, devices, telemetryIntervalMs: 10_000, seed: cfg.platform.demoSeed }, { log });
      simulator = sim;
      await sim.start();
      shutdown.add('simulator', () => sim.stop());
      simulatedDevices = devices.length;
      const server = createControlServer(sim, { port: cfg.platform.simControlPort });
      await server.start();
      shutdown.add('simulator control', () => server.stop());
      control = { url: server.url, token: server.token };
    }
    if (demo) {
      if (demoCameras.length) {
        const fleet = createCameraFleet({ cameras: demoCameras, rtmpUrl: `${rtmpUrl}/live/{camera}?token={secret}`, rtspPort: DEMO_RTSP_PORT }, { log });
        await fleet.start();
        shutdown.add('camera simulator', () => fleet.stop());
      }
      simulatedCameras = demoCameras.length;
    }
    info = {
      dashboardUrl: cfg.common.publicUrl,
      mqttUrl,
      streamsUrl: `http://127.0.0.1:${cfg.streams.streamsHttpPort}`,
      rtmpUrl,
      ...(loginsFile ? { loginsFile } : {}),
      ...(demo ? { demo } : {}),
      ...(control ? { control } : {}),
      simulatedDevices,
      simulatedCameras,
    };
  }

  return {
    get info() {
      return info;
    },
    get registry() {
      return registry;
    },
    get simulator() {
      return simulator;
    },
    get sentSms() {
      return consoleProvider.sent;
    },
    start: () => shutdown.startOrUndo(startSteps),
    stop: () => shutdown.runAndReset(),
  };
}
