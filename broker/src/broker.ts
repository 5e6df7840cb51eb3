import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import type { BrokerConfig, CommonConfig } from '@tianwang/core/config';
import { ConfigError } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';
import { createMetricsRegistry, type Registry } from '@tianwang/core/metrics';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { Shutdown, type Service } from '@tianwang/core/service';
import { Aedes, type Client } from 'aedes';
import redisPersistence from 'aedes-persistence-redis';
import { Redis, type RedisOptions } from 'ioredis';
import { createAuthenticate } from './auth.js';
import { createAuthorizers } from './authorize.js';
import type { TwClient } from './client-state.js';
import { ClusterEmitter } from './cluster-emitter.js';
import { DeviceCredentialCache, type DeviceAuthSource } from './device-auth-source.js';
import { ConnectionGate, initialTokens } from './limits.js';
import { listenTcp } from './listeners/tcp.js';
import { listenTls } from './listeners/tls.js';
import type { ConnectionHandler, Listener } from './listeners/types.js';
import { listenWs } from './listeners/ws.js';
import { LoginLimiter, sourceKey } from './login-limiter.js';
import { installFastDelivery } from './fast-delivery.js';
import { installFastParse } from './fast-publish.js';
import { installMessageDelivery } from './message-delivery.js';
import { createBrokerMetrics } from './metrics.js';
import { queueOncePerSession } from './offline-queue.js';
import { guardParser, type ParserGuards } from './parser-guards.js';
import { PipelineWriter } from './pipeline-writer.js';
import { trackPresence } from './presence.js';
import { trackPublishes } from './publish-tracker.js';
import { startRevocationSweep } from './revocation.js';
import { coalesceWrites } from './write-coalescing.js';

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

/**
 * Closes a connection refused before any MQTT parsing. A TCP socket is reset (RST): no FIN exchange, and no
 * TIME_WAIT left on the broker's side for each of thousands of refused connections in a storm.
 */
function refuse(stream: Duplex): void {
  if (stream instanceof Socket && !(stream instanceof TLSSocket)) stream.resetAndDestroy();
  else stream.destroy();
}

export function createBroker(config: BrokerServiceConfig, deps: BrokerDeps): BrokerService {
  const cfg = config.broker;
  const nodeId = cfg.mqttNodeId ?? `broker-${randomUUID().slice(0, 8)}`;
  const log = deps.log.child({ component: 'broker', node: nodeId });
  const registry = createMetricsRegistry('broker', true);
  const metrics = createBrokerMetrics(registry);
  const keys = pipelineKeys(config.common.keyPrefix);
  const shutdown = new Shutdown(log);
  const ports: BrokerService['ports'] = {};
  let aedes: Aedes | undefined;
  let starting: Promise<void> | undefined;

  const redis = (name: string, extra: RedisOptions = {}) => {
    const r = new Redis(config.common.redisUrl, { lazyConnect: true, connectionName: `tw-broker-${name}`, ...extra });
    r.on('error', (err: Error) => log.debug({ err: err.message, connection: name }, 'redis connection error'));
    return r;
  };

  async function doStart(): Promise<void> {
    const master = cfg.mqttServicePassword;
    if (!master) throw new ConfigError('TW_MQTT_SERVICE_PASSWORD', 'is required by the broker (main.ts generates one in development)');

    // Uplink writes fail fast while Redis is away or frozen (the writer buffers and retries itself).
    const writerRedis = redis('uplink', { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 5000 });
    const persistRedis = redis('persistence', { keyPrefix: `${config.common.keyPrefix}:mqtt:` });
    const pubRedis = redis('bus-pub');
    const subRedis = redis('bus-sub');
    const all = [writerRedis, persistRedis, pubRedis, subRedis];
    // QUIT waits for pending replies; a frozen Redis must not hold the shutdown, so give it 2 s
    const quit = (r: Redis) => Promise.race([r.quit().catch(() => {}), new Promise((res) => setTimeout(res, 2000).unref())]).then(() => r.disconnect());
    shutdown.add('redis', () => Promise.all(all.map(quit)));
    await Promise.all(all.map((r) => r.connect()));

    const writer = new PipelineWriter({ redis: writerRedis, key: keys.uplink, maxLen: cfg.mqttUplinkMaxLen, maxBuffered: cfg.mqttPipelineBuffer, log, metrics });
    shutdown.add('uplink writer', () => writer.close());

    const emitter = new ClusterEmitter(nodeId, `${config.common.keyPrefix}:mqtt-bus`, pubRedis, subRedis, log, metrics);
    await emitter.start();
    shutdown.add('message bus', () => emitter.close());

    const persistence = redisPersistence({ conn: persistRedis });
    queueOncePerSession(persistence as unknown as Parameters<typeof queueOncePerSession>[0]);
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
    broker.on('clientError', (client: Client, err: Error) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
    broker.on('connectionError', (_client: Client, err: Error) => log.debug({ err: err.message }, 'connection error before CONNECT'));
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

    const gate = new ConnectionGate(cfg.mqttMaxConnections);
    const guards: ParserGuards = {
      maxBytes: cfg.mqttMaxPacketBytes,
      onTooBig: (client, length) => {
        metrics.limitViolations.labels('packet_size').inc();
        client.tw.closeReason = 'kicked';
        log.warn({ clientId: client.id, source: client.tw.source, length, max: cfg.mqttMaxPacketBytes }, 'packet over the size limit: disconnecting');
      },
      onFault: (client, rule) => {
        metrics.protocolViolations.labels(rule).inc();
        client.tw.closeReason = 'refused';
        log.info({ clientId: client.id, source: client.tw.source, rule }, 'PUBLISH breaks an MQTT rule: disconnecting');
      },
    };
    const refusedPending = metrics.limitViolations.labels('login_pending');
    const handle: ConnectionHandler = (stream, source, transport, req) => {
      const key = sourceKey(source);
      // before any MQTT parsing, so a source over its limits costs no more than the accept
      if (!logins.tryOpen(key)) {
        refusedPending.inc();
        refuse(stream);
        return;
      }
      if (!gate.tryOpen()) {
        logins.release(key);
        metrics.limitViolations.labels('connections').inc();
        refuse(stream);
        return;
      }
      const gauge = metrics.connections.labels(transport);
      gauge.inc();
      let released = false;
      stream.once('close', () => {
        if (released) return;
        released = true;
        gate.release();
        gauge.dec();
        // closed before any login verdict: its login slot is free (a failure being answered keeps it)
        if (client.tw.loginSlot === 'held') {
          client.tw.loginSlot = 'free';
          logins.release(key);
        }
      });
      coalesceWrites(stream);
      const client = broker.handle(stream, req) as TwClient;
      client.tw = {
        source, sourceKey: key, loginSlot: 'held', transport, hadWill: false, emptyClientId: false,
        tokens: initialTokens(cfg.mqttPublishRate), refilledAt: Date.now(),
      };
      guardParser(client, guards);
      installFastParse(client);
    };

    shutdown.add('stop accepting', () => {
      for (const l of listeners) listenersClosed.push(l.close());
    });
    const tcp = await listenTcp(cfg.mqttHost, cfg.mqttPort, handle);
    listeners.push(tcp);
    ports.tcp = tcp.port;
    if (cfg.mqttsPort !== undefined) {
      if (!cfg.mqttTlsCertFile || !cfg.mqttTlsKeyFile) throw new ConfigError('TW_MQTTS_PORT', 'needs TW_MQTT_TLS_CERT_FILE and TW_MQTT_TLS_KEY_FILE');
      const tls = await listenTls(cfg.mqttHost, cfg.mqttsPort, cfg.mqttTlsCertFile, cfg.mqttTlsKeyFile, handle);
      listeners.push(tls);
      ports.tls = tls.port;
    }
    if (cfg.mqttWsPort !== undefined) {
      const ws = await listenWs(cfg.mqttHost, cfg.mqttWsPort, cfg.mqttMaxPacketBytes, handle);
      listeners.push(ws);
      ports.ws = ws.port;
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

  return {
    metrics: registry,
    nodeId,
    ports,
    get aedes() {
      return aedes;
    },
    start() {
      starting ??= doStart().catch(async (err: unknown) => {
        await shutdown.run();
        throw err;
      });
      return starting;
    },
    async stop() {
      await starting?.catch(() => {});
      await shutdown.run();
    },
  };
}
