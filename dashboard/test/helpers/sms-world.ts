import { createAlerts, type Alerts } from '@tianwang/alerts';
import { startFakeAliyun, type FakeAliyun } from '@tianwang/alerts/testing';
import { SECRET, startWorld, type World } from './world.js';

export interface SmsWorld extends World {
  /** the alerts workers, started: they send what the dashboard queues on alerts' SMS queue */
  alerts: Alerts;
  /** the local Aliyun endpoint the SMS go to (`received`, `waitFor`) */
  aliyun: FakeAliyun;
}

/**
 * The dashboard's world (startWorld) whose SMS really go out: the alerts workers on the same config and registry,
 * sending through the local Aliyun endpoint, retrying after 100 ms; their periodic jobs off or fast (no calendar
 * or silence scans, an interrupted send found within a second, no receipt polling). `env` adds to the config
 * (a data folder, a port, the time zone). `close()` stops the alerts workers, the world, then the endpoint.
 */
export async function startSmsWorld(env: Record<string, string> = {}): Promise<SmsWorld> {
  const aliyun = await startFakeAliyun();
  const world = await startWorld({
    env: {
      TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: aliyun.accessKeyId, TW_ALIYUN_ACCESS_KEY_SECRET: aliyun.accessKeySecret, TW_ALIYUN_ENDPOINT: aliyun.url,
      TW_SMS_BACKOFF_MS: '100', ...env,
    },
  });
  const alerts = createAlerts(world.config, { registry: world.registry, masterSecret: SECRET, tuning: { calendarEveryMs: 0, silenceGraceMs: 0, interruptedSendMs: 300, interruptedScanMs: 200, receiptPollMs: 0 } });
  await alerts.start();
  return {
    ...world, alerts, aliyun,
    async close() {
      await alerts.stop();
      await world.close();
      await aliyun.close();
    },
  };
}
