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
import { InfluxWriter, type Batch } from './influx-writer.js';
import { createIngestMetrics } from './metrics.js';
import { EntryAcks, processEntries, type ProcessorDeps } from './processor.js';
import { parkRefused } from './refused-points.js';
import { writeOutcomes } from './write-outcomes.js';
import { ShadowWriter, defineShadowCommand } from './shadow-writer.js';
import { DecisionOrder } from './store-gate.js';
import { compilePolicy, storagePolicyOf } from './store-policy.js';
import { StreamConsumer, isNoGroupError, type RawEntry } from './stream-consumer.js';
import { trimStream } from './trimmer.js';

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

const MAX_PROCESSING = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createIngest(config: IngestServiceConfig, deps: IngestDeps): IngestService {
  const cfg = config.ingest;
  const log = (deps.log ?? silentLogger()).child({ component: 'ingest' });
  const keys = pipelineKeys(config.common.keyPrefix);
  const group = CONSUMER_GROUPS.ingest;
  const consumerName = deps.consumerName ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const metrics = createIngestMetrics();
  let running = false;
  let readLoopDone: Promise<void> = Promise.resolve();
  const touchedAt = new WeakMap<Batch, number>();

  // one start at a time, a failed start undone, start after stop (core/src/service/lifecycle.ts)
  const startSteps = async (shutdown: Shutdown) => {
    const redis = new Redis(config.common.redisUrl, { lazyConnect: true });
    const reader = new Redis(config.common.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    for (const [name, conn] of [['redis', redis], ['redis-reader', reader]] as const) {
      conn.on('error', (err: Error) => log.warn({ err: err.message, conn: name }, 'redis connection error'));
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
      running: () => running,
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
        (err: unknown) => log.warn({ err: (err as Error).message }, 'cannot create the InfluxDB database yet; retrying'),
      );
    await tryDatabase();

    running = true;
    /** when a batch of this worker last failed (its entries wait in our own pending list until a reclaim pass) */
    let ownFailedAt: number | undefined;
    const processing = new Set<Promise<unknown>>();
    /** mean messages per entry of recent reads: the read COUNT is in entries, the backlog limit in messages */
    let perEntry = 64;
    readLoopDone = (async () => {
      while (running) {
        const room = cfg.ingestMaxBacklog - writer.held;
        if (room <= 0) {
          await sleep(50);
          continue;
        }
        let entries: RawEntry[];
        try {
          entries = await consumer.read(Math.max(1, Math.floor(Math.min(cfg.ingestReadCount, room) / perEntry)), 1000);
        } catch (err) {
          if (!running) break;
          if (isNoGroupError(err)) await consumer.ensureGroup().catch(() => {});
          else log.warn({ err: (err as Error).message }, 'stream read failed');
          await sleep(500);
          continue;
        }
        if (!entries.length) continue;
        // Up to MAX_PROCESSING batches overlap: the next read and validation run while Redis answers the
        // previous batch's shadow/dead-letter pipeline (one connection keeps their order). Awaiting each one
        // made the loop wait on round trips, and the backlog piled up in the stream with CPU to spare.
        const job = processEntries(entries, pdeps).then((messages) => {
          perEntry = Math.min(64, Math.max(1, perEntry * 0.5 + (messages / entries.length) * 0.5));
        }, async (err: unknown) => {
          // The entries stay pending in the group; they are reclaimed (by any worker) after the idle time.
          ownFailedAt = Date.now();
          log.warn({ err: (err as Error).message, entries: entries.length }, 'batch not processed; it will be reclaimed');
          await sleep(500);
        });
        processing.add(job);
        void job.finally(() => processing.delete(job));
        if (processing.size >= MAX_PROCESSING) await Promise.race(processing);
      }
      await Promise.all(processing);
    })();
    shutdown.add('read-loop', async () => {
      running = false;
      reader.disconnect();
      await readLoopDone;
    });

    const timers: NodeJS.Timeout[] = [];
    const every = (ms: number, fn: () => Promise<unknown>) => {
      let busy = false;
      const t = setInterval(() => {
        if (busy || !running) return;
        busy = true;
        fn()
          .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'periodic task failed'))
          .finally(() => (busy = false));
      }, ms);
      timers.push(t);
    };
    shutdown.add('timers', () => timers.forEach(clearInterval));

    // Heartbeat: entries held longer than a third of the claim idle time get their idle time reset.
    const touchEvery = Math.max(200, Math.floor(cfg.ingestClaimIdleMs / 3));
    every(touchEvery, async () => {
      const now = Date.now();
      const ids = new Set<string>();
      for (const b of writer.heldBatches()) {
        if (now - (touchedAt.get(b) ?? b.queuedAt) < touchEvery) continue;
        touchedAt.set(b, now);
        for (const id of b.ids) ids.add(id);
      }
      await consumer.touch([...ids]);
    });

    // Reclaim: entries another worker (or this one, after a failed batch) left idle too long.
    every(Math.max(500, Math.floor(cfg.ingestClaimIdleMs / 2)), async () => {
      // Scan the pending list only if something can be idle: a consumer (a dead worker) idle past the limit,
      // or our own failed batches once they are old enough. If XINFO fails, scan anyway.
      const failedAt = ownFailedAt;
      const ownDue = failedAt !== undefined && Date.now() - failedAt >= cfg.ingestClaimIdleMs;
      if (!ownDue && !(await consumer.anyIdleConsumer(cfg.ingestClaimIdleMs).catch(() => true))) return;
      let cursor = '0-0';
      for (let round = 0; round < 20 && running && writer.held < cfg.ingestMaxBacklog / 2; round++) {
        const res = await consumer.claimIdle(cfg.ingestClaimIdleMs, cursor, Math.max(1, Math.floor(cfg.ingestReadCount / perEntry)));
        const held = new Set<string>();
        if (res.entries.length) for (const b of writer.heldBatches()) for (const id of b.ids) held.add(id);
        const fresh = res.entries.filter(([id]) => !held.has(id));
        if (fresh.length) {
          // whole entries: messages of an entry written before the worker died are written again (idempotent)
          const messages = await processEntries(fresh, pdeps).catch((err: unknown) => {
            ownFailedAt = Date.now(); // now pending in our own list: the next passes must look again
            throw err;
          });
          metrics.reclaimed.inc(messages);
          log.info({ entries: fresh.length, messages }, 'reclaimed idle entries');
        }
        cursor = res.cursor;
        if (cursor === '0-0') {
          // a whole pass: our failed entries up to now are taken (unless another failed meanwhile)
          if (ownFailedAt === failedAt) ownFailedAt = undefined;
          break;
        }
      }
    });

    every(cfg.ingestTrimIntervalMs, async () => {
      const n = await trimStream(redis, keys.uplink, group, cfg.ingestStreamRetainS * 1000, Date.now(), records);
      if (n) metrics.trimmed.inc(n);
    });

    let lastLog = 0;
    every(1000, async () => {
      const held = writer.held;
      metrics.backlog.set(held);
      if (!dbReady) await tryDatabase();
      const failingSince = outcomes.failingSince();
      if (held && (failingSince !== undefined || held > cfg.ingestMaxBacklog / 2) && Date.now() - lastLog >= 5000) {
        lastLog = Date.now();
        const err = failingSince !== undefined ? { failingForS: Math.round((Date.now() - failingSince) / 1000) } : {};
        log.warn({ backlog: held, max: cfg.ingestMaxBacklog, ...err }, 'InfluxDB writes are behind; entries wait in the backlog');
      }
    });

    // the first step of a stop (steps run in reverse): the loops and retries see at once that they are to end
    shutdown.add('stop accepting', () => {
      running = false;
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
