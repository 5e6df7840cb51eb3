/**
 * The ingest service: one worker of the pool that shares the uplink stream through the consumer group
 * CONSUMER_GROUPS.ingest. Any number of processes may run it; see docs/ingest.md for the whole design.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import type { CommonConfig, InfluxConfig, IngestConfig } from '@tianwang/core/config';
import { silentLogger, type Logger } from '@tianwang/core/log';
import type { Registry } from '@tianwang/core/metrics';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { Lifecycle, type Service, type Shutdown } from '@tianwang/core/service';
import { DeadLetterWriter } from './dead-letter.js';
import { DeviceCache, type DeviceLookup } from './device-cache.js';
import { createInfluxClient, ensureDatabase, routeClientLog } from './influx-client.js';
import { InfluxWriter } from './influx-writer.js';
import { createIngestMetrics } from './metrics.js';
import { EntryAcks, processEntries, type ProcessorDeps } from './processor.js';
import { parkRefused } from './refused-points.js';
import { writeOutcomes } from './write-outcomes.js';
import { ShadowWriter, defineShadowCommand } from './shadow-writer.js';
import { DecisionOrder } from './store-gate.js';
import { compilePolicy, storagePolicyOf } from './store-policy.js';
import { StreamConsumer, type RawEntry } from './stream-consumer.js';
import { trimStream } from './trimmer.js';
import { backlogReport } from './worker/backlog-report.js';
import { heartbeat, heartbeatEvery } from './worker/heartbeat.js';
import { PeriodicTasks } from './worker/periodic.js';
import { runReadLoop } from './worker/read-loop.js';
import { reclaimPass } from './worker/reclaimer.js';
import { newWorkerState } from './worker/worker-state.js';

export interface IngestServiceConfig {
  common: Pick<CommonConfig, 'redisUrl' | 'keyPrefix'>;
  ingest: IngestConfig;
  influx: InfluxConfig;
}

export interface IngestDeps {
  /** the registry (or anything with its two device lookups) */
  registry: { devices: DeviceLookup };
  log?: Logger;
  /** unique per process; default hostname-pid-random */
  consumerName?: string;
}

export interface IngestService extends Service {
  metrics: Registry;
  /** messages read and not yet written */
  backlog(): number;
  consumerName: string;
}

export function createIngest(config: IngestServiceConfig, deps: IngestDeps): IngestService {
  const cfg = config.ingest;
  const log = (deps.log ?? silentLogger()).child({ component: 'ingest' });
  const keys = pipelineKeys(config.common.keyPrefix);
  const group = CONSUMER_GROUPS.ingest;
  const consumerName = deps.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const metrics = createIngestMetrics();
  // a fresh state per start (a new read loop), read by the stop steps and the writer's retries
  let worker = newWorkerState();

  // one start at a time, a failed start undone, start after stop (core/src/service/lifecycle.ts)
  const startSteps = async (shutdown: Shutdown) => {
    worker = newWorkerState();
    const redis = new Redis(config.common.redisUrl, { lazyConnect: true });
    const reader = new Redis(config.common.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const [name, conn] of [['redis', redis], ['redis-reader', reader]] as const) {
      conn.on('error', (err: Error) => log.warn({ err, conn: name }, 'redis connection error'));
    }
    shutdown.add('redis', () => redis.quit().catch(() => redis.disconnect()));
    shutdown.add('redis-reader', () => reader.disconnect());
    await Promise.all([redis.connect(), reader.connect()]);
    defineShadowCommand(redis);

    const consumer = new StreamConsumer(redis, reader, { stream: keys.uplink, group, consumer: consumerName });
    await consumer.ensureGroup();

    const cache = new DeviceCache(deps.registry.devices, cfg.ingestRegistryTtlMs, log);
    await cache.warm();
    shutdown.add('device-cache', () => cache.close());

    const policy = cfg.ingestStore === 'exception' ? compilePolicy(storagePolicyOf(cfg)) : undefined;
    const shadow = new ShadowWriter(keys, cfg.ingestShadowChangesMax, policy);
    redis.on('ready', () => shadow.forgetIndex());

    const acking = new Set<Promise<void>>();
    const entryAcks = new EntryAcks();
    const records = cfg.ingestStore === 'exception' ? keys.ingestDecisions : undefined;
    const ack = (ids: string[]) => {
      if (!ids.length) return;
      const p = consumer.ack(ids, records).catch((err: unknown) => log.warn({ err, entries: ids.length }, 'ack failed; the entries will be reclaimed and rewritten'));
      acking.add(p);
      void p.finally(() => acking.delete(p));
    };
    const deadLetters = new DeadLetterWriter(keys, cfg.ingestDeadLetterMax, cfg.ingestDeadLetterPerMin);
    routeClientLog(log);
    const outcomes = writeOutcomes({
      metrics, log, acks: entryAcks, ack,
      park: (points) => parkRefused(redis, keys.uplink, deadLetters, points),
      track(job) {
        acking.add(job);
        void job.finally(() => acking.delete(job));
      },
      running: () => worker.running,
      held: () => writer.held,
    });
    const writer = new InfluxWriter(
      createInfluxClient(config.influx),
      {
        database: config.influx.influxDatabase,
        org: config.influx.influxOrg,
        batchSize: cfg.ingestBatchSize,
        flushMs: cfg.ingestFlushMs,
        concurrency: cfg.ingestWriteConcurrency,
        gzipBytes: cfg.ingestWriteGzipBytes,
        retryMaxMs: config.influx.influxRetryMaxMs,
      },
      outcomes,
    );
    // Reverse order at stop: timers, read loop, writer drain, acks, leave the group, caches, connections.
    shutdown.add('leave-group', () => (writer.held === 0 ? consumer.leave().catch(() => {}) : undefined));
    shutdown.add('acks', () => Promise.all([...acking]));
    shutdown.add('writer', async () => {
      await writer.drain(10_000);
      writer.close();
    });

    const pdeps: ProcessorDeps = {
      redis, stream: keys.uplink, group, cache, shadow, writer, metrics, log, acks: entryAcks,
      deadLetters,
      limits: { futureMs: cfg.ingestClockFutureS * 1000, pastMs: cfg.ingestClockPastS * 1000 },
      ack: (ids) => consumer.ack(ids, records),
      ...(policy ? { policy, order: new DecisionOrder(redis, keys.ingestDecided, cfg.ingestStoreOrderWaitMs) } : {}),
    };

    // InfluxDB 1.x: the database must exist. If InfluxDB is down now, keep trying; writes wait meanwhile.
    let dbReady = false;
    const tryDatabase = () =>
      ensureDatabase(config.influx).then(
        () => void (dbReady = true),
        (err: unknown) => log.warn({ err }, 'cannot create the InfluxDB database yet; retrying'),
      );
    await tryDatabase();

    const state = worker;
    state.running = true;
    const processBatch = (entries: RawEntry[]) => processEntries(entries, pdeps);
    const held = () => writer.held;
    const readLoop = runReadLoop({ consumer, state, held, maxBacklog: cfg.ingestMaxBacklog, readCount: cfg.ingestReadCount, process: processBatch, log });
    shutdown.add('read-loop', async () => {
      state.running = false;
      reader.disconnect();
      await readLoop;
    });

    const tasks = new PeriodicTasks(state, log);
    shutdown.add('timers', () => tasks.clear());
    const touchEvery = heartbeatEvery(cfg.ingestClaimIdleMs);
    tasks.every(touchEvery, 'heartbeat', heartbeat(consumer, () => writer.heldBatches(), touchEvery));
    tasks.every(Math.max(500, Math.floor(cfg.ingestClaimIdleMs / 2)), 'reclaim', () =>
      reclaimPass({
        consumer, state, held, heldBatches: () => writer.heldBatches(), claimIdleMs: cfg.ingestClaimIdleMs, maxBacklog: cfg.ingestMaxBacklog,
        readCount: cfg.ingestReadCount, process: processBatch, reclaimed: (n) => metrics.reclaimed.inc(n), log,
      }),
    );
    tasks.every(cfg.ingestTrimIntervalMs, 'trim', async () => {
      const n = await trimStream(redis, keys.uplink, group, cfg.ingestStreamRetainS * 1000, Date.now(), records);
      if (n) metrics.trimmed.inc(n);
    });
    const report = backlogReport({ held, maxBacklog: cfg.ingestMaxBacklog, failingSince: () => outcomes.failingSince(), gauge: metrics.backlog, log });
    tasks.every(1000, 'backlog', async () => {
      report();
      if (!dbReady) await tryDatabase();
    });

    // the first step of a stop (steps run in reverse): the loops and retries see at once that they are to end
    shutdown.add('stop accepting', () => {
      state.running = false;
    });
    log.info({ consumer: consumerName, stream: keys.uplink, influx: config.influx.influxUrl, api: config.influx.influxApi }, 'ingest started');
    backlogOf = () => writer.held;
  };
  const lifecycle = new Lifecycle(startSteps, log);

  let backlogOf = () => 0;
  return {
    metrics: metrics.registry,
    consumerName,
    backlog: () => backlogOf(),
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
