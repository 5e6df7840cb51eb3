import { afterAll, beforeAll, onTestFinished } from 'vitest';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { alarmQueries, notificationQueries, type Registry } from '@tianwang/core/registry';
import { createAlerts, QUEUES, RuleBook, type Alerts, type AlertsDeps, type AlertsTuning } from '../../src/index.js';
import { alertsKeys } from '../../src/keys.js';
import { startRedis, type RedisServer } from '@tianwang/core/testing';
import { startFakeAliyun, startFakeTwilio, type FakeAliyun, type FakeTwilio } from '../../src/testing/index.js';
import { MASTER_SECRET, Uplink, seedRegistry, testConfig } from './world.js';

export interface World {
  registry: Registry;
  config: ReturnType<typeof testConfig>;
  aliyun: FakeAliyun;
  twilio: FakeTwilio;
  redis: Redis;
  uplink: Uplink;
  alerts: Alerts;
  /** a further alerts worker on the same Redis and registry */
  worker(): Promise<Alerts>;
  alarms: ReturnType<typeof alarmQueries>;
  notifications: ReturnType<typeof notificationQueries>;
  escalationQueue: Queue;
  close(): Promise<void>;
}

export const FAST: Partial<AlertsTuning> = { minuteMs: 1000, silenceScanMs: 100, blockMs: 200, claimIdleMs: 2000, calendarEveryMs: 0, smsBackoffMs: 100, deviceCacheMs: 200, silenceGraceMs: 0 };

/** One isolated world per test: fresh registry, fresh key prefix, fake providers, one started alerts worker. */
export interface WorldOptions { env?: Record<string, string>; rules?: RuleBook; seed?: Parameters<typeof seedRegistry>[0]; tuning?: Partial<AlertsTuning>; providers?: AlertsDeps['providers'] }

export async function startWorld(redisUrl: string, o: WorldOptions = {}): Promise<World> {
  const registry = await seedRegistry(o.seed);
  const aliyun = await startFakeAliyun();
  const twilio = await startFakeTwilio();
  const config = testConfig(redisUrl, {
    TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId, TW_ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret, TW_ALIYUN_ENDPOINT: aliyun.url,
    TW_TWILIO_ACCOUNT_SID: twilio.accountSid, TW_TWILIO_AUTH_TOKEN: twilio.authToken, TW_TWILIO_FROM: '+15005550006', TW_TWILIO_API_URL: twilio.url,
    TW_ESCALATE_PRINCIPAL_MIN: '1', TW_ESCALATE_INSPECTOR_MIN: '2', ...o.env,
  });
  const redis = new Redis(redisUrl);
  const workers: Alerts[] = [];
  const worker = async () => {
    const a = createAlerts(config, { registry, masterSecret: MASTER_SECRET, tuning: { ...FAST, ...o.tuning }, ...(o.rules ? { rules: o.rules } : {}), ...(o.providers ? { providers: o.providers } : {}) });
    await a.start();
    workers.push(a);
    return a;
  };
  const alerts = await worker();
  const escalationQueue = new Queue(QUEUES.escalation, { connection: redis, prefix: alertsKeys(config.prefix).bullPrefix });
  return {
    registry, config, aliyun, twilio, redis, uplink: new Uplink(redis, config.prefix), alerts, worker,
    alarms: alarmQueries(registry.db), notifications: notificationQueries(registry.db), escalationQueue,
    async close() {
      for (const w of workers) await w.stop();
      await escalationQueue.close();
      redis.disconnect();
      await aliyun.close();
      await twilio.close();
      await registry.close();
    },
  };
}

/**
 * The end-to-end files' setup: one Redis server for the file (started in its `beforeAll`, stopped in its
 * `afterAll`) and a fresh world per test, closed when that test ends, passed or failed. Call it once at the top
 * of a file: `const e2e = worldPerTest();`, then `const w = await e2e.start({ … })` in a test.
 */
export function worldPerTest(): { start(o?: WorldOptions): Promise<World>; readonly redisUrl: string } {
  let redis: RedisServer | undefined;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis?.stop());
  const url = () => {
    if (!redis) throw new Error('worldPerTest: Redis is not started (call start() inside a test)');
    return redis.url;
  };
  return {
    async start(o = {}) {
      const w = await startWorld(url(), o);
      onTestFinished(() => w.close());
      return w;
    },
    get redisUrl() {
      return url();
    },
  };
}
