import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlertsConfig, CommonConfig } from '@tianwang/core/config';
import { deriveKey, resolveDevSecret } from '@tianwang/core/crypto';
import { silentLogger, type Logger } from '@tianwang/core/log';
import type { Registry as MetricsRegistry } from '@tianwang/core/metrics';
import { CONSUMER_GROUPS } from '@tianwang/core/pipeline';
import type { Registry } from '@tianwang/core/registry';
import { Lifecycle, type Shutdown } from '@tianwang/core/service';
import { createAlarmService, type AlarmService } from './alarms/alarm-service.js';
import { runCalendar } from './engine/calendar-job.js';
import { createCameraHandler } from './engine/camera-handler.js';
import type { EngineContext } from './engine/context.js';
import { DeviceCache } from './engine/device-cache.js';
import { reconcileSilence, scanSilence } from './engine/silence-scan.js';
import { SilenceWatch } from './engine/silence-watch.js';
import { RuleStateStore } from './engine/state-store.js';
import { StreamConsumer, type StreamEntry } from './engine/stream-consumer.js';
import { handleUplinkBatch } from './engine/uplink-handler.js';
import { createEscalator } from './escalation/escalator.js';
import type { Stage } from './escalation/plan.js';
import { REWORK_JOB, type ReworkJobData } from './escalation/rework.js';
import { alertsKeys } from './keys.js';
import { QUEUES } from './queues.js';
import { createAlertsMetrics } from './metrics.js';
import { providerFromConfig } from './notify/create-providers.js';
import { pollReceipts } from './notify/receipts.js';
import { withFailover } from './notify/failover.js';
import type { SmsProvider } from './notify/provider.js';
import { RecipientRateLimit } from './notify/rate-limit.js';
import { everyInTurn } from './time/every-in-turn.js';
import { resumeInterruptedSends } from './notify/interrupted-sends.js';
import { cappedBackoffStrategy } from './retry-backoff.js';
import { createSmsSender } from './notify/sms-sender.js';
import { RuleBook } from './rules/rule-book.js';

export { QUEUES };

/**
 * What createAlerts runs with. The defaults come from the configuration (TW_ALERTS_*_MS, TW_SMS_CONCURRENCY,
 * TW_SMS_INTERRUPTED_*, TW_SMS_RECEIPT_POLL_MS, TW_SMS_BACKOFF_MS, TW_SMS_BACKOFF_MAX_MS, TW_CALENDAR_EVERY_MIN); tests override them.
 */
export interface AlertsTuning {
  /** length of one minute of the escalation table (tests shrink it; always 60 s otherwise) */
  minuteMs: number;
  silenceScanMs: number;
  /** pending stream entries of a stopped consumer are taken over after this idle time */
  claimIdleMs: number;
  blockMs: number;
  /** consumer name in the stream groups; unique per worker by default */
  consumer: string;
  smsConcurrency: number;
  /** calendar period, ms (default TW_CALENDAR_EVERY_MIN); 0 = do not schedule (tests call runCalendar()) */
  calendarEveryMs: number;
  deviceCacheMs: number;
  /** SMS retry backoff base, ms (default TW_SMS_BACKOFF_MS) */
  smsBackoffMs: number;
  /** longest wait between two attempts of any alerts job, ms (default TW_SMS_BACKOFF_MAX_MS) */
  smsBackoffMaxMs: number;
  /**
   * After a start, no device is judged silent for this long (default: the silence multiple × 10 s): deadlines
   * kept in Redis from before a restart of the whole platform would otherwise page every unit at once.
   */
  silenceGraceMs: number;
  /** a reminder left in `sending` this long was cut off by a dying worker and is sent again */
  interruptedSendMs: number;
  /** how often to look for such reminders */
  interruptedScanMs: number;
  /** how often to ask the providers that are asked (Aliyun) for delivery receipts (0 = never) */
  receiptPollMs: number;
}

export interface AlertsDeps {
  registry: Registry;
  log?: Logger;
  /** the master secret; default TW_SECRET_KEY or the development secret in TW_DATA_DIR */
  masterSecret?: string;
  /** providers to use instead of those from the configuration (tests, the demo) */
  providers?: { primary: SmsProvider; failover?: SmsProvider };
  rules?: RuleBook;
  tuning?: Partial<AlertsTuning>;
  now?: () => number;
}

export interface Alerts {
  start(): Promise<void>;
  stop(): Promise<void>;
  metrics: MetricsRegistry;
  /** lifecycle operations that also stop the escalation (the dashboard uses its own, see createAlarmActions) */
  alarms: AlarmService;
  /** runs the calendar rules now (the repeatable job does it on schedule) */
  runCalendar(): Promise<{ raised: number; cleared: number }>;
  scanSilence(): Promise<number>;
}

/**
 * The alerts service: rule engine over the uplink and camera-event streams, alarm lifecycle in the registry,
 * escalation and SMS through BullMQ. Any number of instances may run against the same Redis and database.
 */
export function createAlerts(config: { common: CommonConfig; alerts: AlertsConfig }, deps: AlertsDeps): Alerts {
  const c = config.alerts;
  const log = (deps.log ?? silentLogger()).child({ component: 'alerts' });
  const now = deps.now ?? Date.now;
  // the defaults are the configuration's (core/src/config/sections/alerts.ts); tests shrink them through deps.tuning
  const t: AlertsTuning = {
    minuteMs: 60_000, silenceScanMs: c.alertsSilenceScanMs, claimIdleMs: c.alertsClaimIdleMs, blockMs: c.alertsBlockMs, consumer: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    smsConcurrency: c.smsConcurrency, calendarEveryMs: c.calendarEveryMin * 60_000, deviceCacheMs: c.alertsDeviceCacheMs, smsBackoffMs: c.smsBackoffMs, smsBackoffMaxMs: c.smsBackoffMaxMs, silenceGraceMs: c.silenceMultiple * 10_000,
    interruptedSendMs: c.smsInterruptedAfterMs, interruptedScanMs: c.smsInterruptedScanMs, receiptPollMs: c.smsReceiptPollMs, ...deps.tuning,
  };
  const keys = alertsKeys(config.common.keyPrefix);
  const m = createAlertsMetrics();
  const rules = deps.rules ?? RuleBook.fromFile(c.alertRulesFile);
  let escalationQueueRef: Queue | undefined;
  const onStop = async (alarm: Parameters<NonNullable<Parameters<typeof createAlarmService>[1]>>[0], reason: string) => {
    if (escalationQueueRef) await ctx?.escalator.stop(alarm, reason);
  };
  const alarms = createAlarmService(deps.registry, (a, reason) => onStop(a, reason));
  let ctx: EngineContext | undefined;

  async function start(shutdown: Shutdown) {
    // the escalation queue is forgotten when the service stops or its start fails
    shutdown.add('escalation queue reference', () => {
      escalationQueueRef = undefined;
    });
    const secret = deps.masterSecret ?? (await resolveDevSecret(config.common.dataDir, 'secret.key', config.common.secretKey));
    const linkKey = deriveKey(secret, 'sms-link');
    const redis = new Redis(config.common.redisUrl, { maxRetriesPerRequest: null });
    redis.on('error', (err) => log.warn({ err }, 'redis error'));
    shutdown.add('redis', () => redis.quit());
    const connection = redis;
    const prefix = keys.bullPrefix;
    const escalationQueue = new Queue(QUEUES.escalation, { connection, prefix });
    const smsQueue = new Queue(QUEUES.sms, { connection, prefix });
    const calendarQueue = new Queue(QUEUES.calendar, { connection, prefix });
    for (const q of [escalationQueue, smsQueue, calendarQueue]) {
      q.on('error', (err) => log.warn({ err, queue: q.name }, 'queue error'));
      shutdown.add(`queue ${q.name}`, () => q.close());
    }
    escalationQueueRef = escalationQueue;

    const primary = deps.providers?.primary ?? providerFromConfig(c.smsProvider, c, log, config.common.publicUrl);
    const secondary = deps.providers ? deps.providers.failover : c.smsFailover === 'none' ? undefined : providerFromConfig(c.smsFailover, c, log, config.common.publicUrl);
    const provider = withFailover(primary, secondary, { after: c.smsFailoverAfter, cooldownMs: c.smsFailoverCooldownS * 1000, log, onSwitch: () => m.failover.inc() });
    const linkTtlMs = c.ackLinkTtlH * 3_600_000;
    const escalator = createEscalator({
      registry: deps.registry, escalationQueue, smsQueue, log, publicUrl: config.common.publicUrl, linkKey, linkTtlMs,
      principalMin: c.escalatePrincipalMin, inspectorMin: c.escalateInspectorMin, minuteMs: t.minuteMs, quietHours: c.quietHours, timezone: c.timezone,
      signName: c.aliyunSignName, defaultLocale: c.smsLocale, smsAttempts: c.smsMaxAttempts, smsBackoffMs: t.smsBackoffMs, now,
    });
    ctx = {
      registry: deps.registry, devices: new DeviceCache(deps.registry, t.deviceCacheMs), rules, states: new RuleStateStore(redis, keys), silence: new SilenceWatch(redis, keys),
      alarms, escalator, metrics: m, log, silenceMultiple: c.silenceMultiple, timezone: c.timezone, now,
    };
    const engine = ctx;
    const sender = createSmsSender({
      registry: deps.registry, provider, rateLimit: new RecipientRateLimit(redis, keys, c.smsRateWindowS * 1000), smsQueue, metrics: m, log,
      signName: c.aliyunSignName, publicUrl: config.common.publicUrl, linkKey, linkTtlMs, now,
    });

    const worker = (name: string, fn: (job: Job) => Promise<unknown>, concurrency = 1) => {
      // the jobs' custom backoff type is computed here (alerts/src/retry-backoff.ts)
      const w = new Worker(name, fn, { connection, prefix, concurrency, autorun: true, settings: { backoffStrategy: cappedBackoffStrategy(t.smsBackoffMaxMs) } });
      w.on('error', (err) => log.warn({ err, queue: name }, 'worker error'));
      w.on('failed', (job, err) => log.warn({ err, queue: name, job: job?.id, attempts: job?.attemptsMade }, 'job failed'));
      shutdown.add(`worker ${name}`, () => w.close());
      return w;
    };
    worker(QUEUES.escalation, async (job) => {
      if (job.name === REWORK_JOB) {
        const r = job.data as ReworkJobData;
        await escalator.dispatch(r.alarmId, 'rework', undefined, { round: r.round, reason: r.reason });
        return;
      }
      const d = job.data as { alarmId: number; stage: Stage };
      await escalator.dispatch(d.alarmId, d.stage);
    });
    worker(QUEUES.sms, (job) => sender.process(job), t.smsConcurrency);
    worker(QUEUES.calendar, () => runCalendar(engine));
    if (t.calendarEveryMs > 0) await calendarQueue.upsertJobScheduler('calendar', { every: t.calendarEveryMs }, { name: 'calendar', opts: { removeOnComplete: true, removeOnFail: 100 } });

    await reconcileSilence(engine);
    const consumer = (stream: string, handle: (e: StreamEntry[]) => Promise<void>) => {
      const conn = redis.duplicate();
      conn.on('error', (err) => log.warn({ err, stream }, 'redis error (stream reader)'));
      const sc = new StreamConsumer({ redis: conn, stream, group: CONSUMER_GROUPS.alerts, consumer: t.consumer, batch: c.alertsBatch, blockMs: t.blockMs, claimIdleMs: t.claimIdleMs, log, handle });
      shutdown.add(`redis ${stream}`, () => conn.quit());
      shutdown.add(`consumer ${stream}`, () => sc.stop());
      return sc;
    };
    const uplink = consumer(keys.uplink, (e) => handleUplinkBatch(engine, e));
    const cameras = consumer(keys.cameraEvents, createCameraHandler(engine));
    await uplink.start();
    await cameras.start();

    if (t.silenceGraceMs > 0) await engine.silence.postpone(now() + t.silenceGraceMs);
    const timer = everyInTurn(t.silenceScanMs, () => scanSilence(engine), (err) => log.warn({ err }, 'silence scan failed'));
    shutdown.add('silence scan', () => clearInterval(timer));
    const resumeTimer = everyInTurn(t.interruptedScanMs, () => resumeInterruptedSends({ registry: deps.registry, escalator, metrics: m, log, afterMs: t.interruptedSendMs }), (err) =>
      log.warn({ err }, 'looking for interrupted SMS failed'),
    );
    shutdown.add('interrupted SMS scan', () => clearInterval(resumeTimer));
    if (t.receiptPollMs > 0) {
      const receipts = [primary, ...(secondary ? [secondary] : [])];
      const receiptTimer = everyInTurn(t.receiptPollMs, () => pollReceipts(deps.registry, receipts, log), (err) => log.warn({ err }, 'delivery receipts failed'));
      shutdown.add('delivery receipts', () => clearInterval(receiptTimer));
    }
    log.info({ consumer: t.consumer, provider: provider.name }, 'alerts started');
  }

  const lifecycle = new Lifecycle(start, log);
  return {
    metrics: m.registry,
    alarms,
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    runCalendar: () => {
      if (!ctx) throw new Error('alerts not started');
      return runCalendar(ctx);
    },
    scanSilence: () => {
      if (!ctx) throw new Error('alerts not started');
      return scanSilence(ctx);
    },
  };
}
