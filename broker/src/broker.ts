import { randomUUID } from 'node:crypto';
import type { BrokerConfig, CommonConfig } from '@tianwang/core/config';
import { ConfigError } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import { createMetricsRegistry, type Registry } from '@tianwang/core/metrics';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { Lifecycle, type Service, type Shutdown } from '@tianwang/core/service';
import { Aedes, type Client } from 'aedes';
import redisPersistence from 'aedes-persistence-redis';
import { createAuthenticate } from './policy/auth.js';
import { createAuthorizers } from './policy/authorize.js';
import type { TwClient } from './client-state.js';
import { ClusterEmitter } from './cluster/cluster-emitter.js';
import { DeviceCredentialCache, type DeviceAuthSource } from './policy/device-auth-source.js';
import { ConnectionGate } from './policy/limits.js';
import { createConnectionHandler } from './listeners/connection-handler.js';
import { openListeners } from './listeners/open-listeners.js';
import type { Listener } from './listeners/types.js';
import { openRedisConnections } from './redis-connections.js';
import { LoginLimiter } from './policy/login-limiter.js';
import { installFastDelivery } from './fast-path/fast-delivery.js';
import { installMessageDelivery } from './fast-path/message-delivery.js';
import { createBrokerMetrics } from './metrics.js';
import { queueOncePerSession } from './sessions/offline-queue.js';
import { PipelineWriter } from './uplink/pipeline-writer.js';
import { trackPresence } from './uplink/presence.js';
import { trackPublishes } from './fast-path/publish-tracker.js';
import { startRevocationSweep } from './policy/revocation.js';
import { indexRetainedCommands, type RetainedPersistence } from './sessions/retained-commands.js';

export interface BrokerServiceConfig {
  broker: BrokerConfig;
  common: Pick<CommonConfig, 'redisUrl' | 'keyPrefix'>;
}

export interface BrokerDeps {
  /** device credentials: `registry.devices`, or `memoryDeviceSource()` in tests and benchmarks */
  devices: DeviceAuthSource;
  log: Logger;
}

export interface BrokerService extends Service {
  metrics: Registry;
  /** this node's id (aedes id; owns the wills of its clients) */
  readonly nodeId: string;
  /** bound ports once started (useful with port 0) */
  readonly ports: { tcp?: number; tls?: number; ws?: number };
  /** the aedes instance once started (tests, diagnostics) */
  readonly aedes: Aedes | undefined;
}

export function createBroker(config: BrokerServiceConfig, deps: BrokerDeps): BrokerService {
  const cfg = config.broker;
  const nodeId = cfg.mqttNodeId ?? `broker-${randomUUID().slice(0, 8)}`;
  const log = deps.log.child({ component: 'broker', node: nodeId });
  const registry = createMetricsRegistry('broker', true);
  const metrics = createBrokerMetrics(registry);
  const keys = pipelineKeys(config.common.keyPrefix);
  const ports: BrokerService['ports'] = {};
  let aedes: Aedes | undefined;

  async function doStart(shutdown: Shutdown): Promise<void> {
    const master = cfg.mqttServicePassword;
    if (!master) throw new ConfigError('TW_MQTT_SERVICE_PASSWORD', 'is required by the broker (main.ts generates one in development)');

    const { writerRedis, persistRedis, pubRedis, subRedis } = await openRedisConnections(config.common.redisUrl, keys, log, shutdown);

    const writer = new PipelineWriter({ redis: writerRedis, key: keys.uplink, maxLen: cfg.mqttUplinkMaxLen, maxBuffered: cfg.mqttPipelineBuffer, log, metrics });
    shutdown.add('uplink writer', () => writer.close());

    const emitter = new ClusterEmitter(nodeId, keys.mqttBus, pubRedis, subRedis, log, metrics);
    await emitter.start();
    shutdown.add('message bus', () => emitter.close());

    const persistence = redisPersistence({ conn: persistRedis });
    queueOncePerSession(persistence as unknown as Parameters<typeof queueOncePerSession>[0]);
    await indexRetainedCommands(persistence as unknown as RetainedPersistence, persistRedis);
    const cache = new DeviceCredentialCache(deps.devices, cfg.mqttAuthCacheMs);
    const logins = new LoginLimiter({ failureRate: cfg.mqttLoginFailureRate, failureBurst: cfg.mqttLoginFailureBurst, pendingPerSource: cfg.mqttLoginPendingMax });
    const clients = () => (aedes as unknown as { clients: Record<string, Client> } | undefined)?.clients ?? {};
    const authorizers = createAuthorizers({ writer, metrics, log, publishRate: cfg.mqttPublishRate });

    const broker = await Aedes.createBroker({
      id: nodeId,
      mq: emitter,
      persistence,
      connectTimeout: 10_000,
      preConnect: (client, packet, cb) => {
        const st = (client as TwClient).tw;
        st.hadWill = !!packet.will;
        st.emptyClientId = !packet.clientId;
        // mqtt-packet keeps the CONNECT packet as parser settings (for its protocol version): keep only that,
        // so the password and the rest of the CONNECT do not stay in memory for the life of the connection
        (client as TwClient)._parser.settings = { protocolVersion: packet.protocolVersion };
        cb(null, true);
      },
      authenticate: createAuthenticate({
        cache, logins, servicePassword: master, simAdmin: cfg.mqttSimAdmin, metrics, log, registered: (id) => clients()[id],
        // services are the heavy subscribers (the fleet's telemetry): batched delivery; devices receive a few
        // commands, one message at a time, which costs no more memory per idle connection than aedes' own
        admitted: (client) => (client.tw.principal?.type === 'service' ? installFastDelivery(client) : installMessageDelivery(client)),
      }),
      ...authorizers,
    });
    aedes = broker;
    const publishes = trackPublishes(broker);
    broker.on('clientError', (client: Client, err: Error) => log.debug({ clientId: client.id, err }, 'client error'));
    broker.on('connectionError', (_client: Client, err: Error) => log.debug({ err }, 'connection error before CONNECT'));
    // stop accepting → close every client (aedes) → wait for the servers: a server's close waits for its
    // connections, so waiting before the clients are closed would never end
    const listeners: Listener[] = [];
    const listenersClosed: Promise<void>[] = [];
    shutdown.add('listeners closed', () => Promise.all(listenersClosed));
    shutdown.add('aedes', async () => {
      for (const c of Object.values(clients())) {
        const st = (c as TwClient).tw;
        if (st) st.closeReason ??= 'shutdown';
      }
      // acknowledged publishes finish their persistence steps before the clients and Redis go
      await publishes.idle(3000);
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await publishes.idle(3000);
      await persistence.destroy().catch(() => {});
    });
    trackPresence(broker, writer, metrics, log, nodeId);

    const handle = createConnectionHandler({ broker, cfg, logins, gate: new ConnectionGate(cfg.mqttMaxConnections), metrics, log });
    shutdown.add('stop accepting', () => {
      for (const l of listeners) listenersClosed.push(l.close());
    });
    try {
      await openListeners(cfg, handle, listeners);
    } finally {
      // also after a failed start: what did open is known (and closed by the rollback)
      for (const l of listeners) ports[l.transport] = l.port;
    }

    const sweep = startRevocationSweep({ cache, clients, intervalMs: cfg.mqttAuthCacheMs, log, metrics });
    const housekeeping = setInterval(() => {
      metrics.pipelineBuffered.set(writer.buffered);
      persistence.countOffline().then((n) => metrics.offlineSessions.set(n.clientsCount), () => {});
    }, 1000);
    housekeeping.unref();
    shutdown.add('timers', () => {
      sweep.stop();
      clearInterval(housekeeping);
    });
    log.info({ ports, uplink: keys.uplink }, 'broker listening');
  }

  const lifecycle = new Lifecycle(doStart, log);
  return {
    metrics: registry,
    nodeId,
    ports,
    get aedes() {
      return aedes;
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
