import { pipelineKeys } from '@tianwang/core/pipeline';

/** Redis keys of alerts/, under the deployment prefix (shared keys come from pipelineKeys). */
export function alertsKeys(prefix: string) {
  const p = `${prefix}:alerts`;
  return {
    ...pipelineKeys(prefix),
    /** hash per device: threshold rule states (field = rule key, value = JSON) */
    ruleState: (deviceId: string) => `${p}:state:${deviceId}`,
    /** sorted set: device id → silence deadline (ms) */
    silenceDeadlines: `${p}:silence:deadlines`,
    /** set: devices currently silent (alarm raised) */
    silent: `${p}:silence:silent`,
    /** string per phone: the end of its current rate window (ms), with that expiry */
    rateSlot: (phone: string) => `${p}:rate:${phone}`,
    /** sorted set per phone: notification ids held back by the rate limit, to be merged */
    held: (phone: string) => `${p}:held:${phone}`,
  };
}
export type AlertsKeys = ReturnType<typeof alertsKeys>;
