import type { Logger } from '@tianwang/core/log';
import { RecipientRejectedError, type SmsMessage, type SmsProvider, type SmsResult } from './provider.js';

export interface FailoverOptions {
  /** consecutive provider failures of the primary before switching */
  after: number;
  /** how long to stay on the secondary before trying the primary again, ms */
  cooldownMs: number;
  log?: Logger;
  onSwitch?: (to: string) => void;
  now?: () => number;
}

/**
 * Primary with a failover provider (a circuit breaker per worker). After `after` consecutive provider failures
 * the message that tripped it goes straight to the secondary, and so does everything for `cooldownMs`; then the
 * primary gets another chance. A recipient refusal (invalid number) is the message's fault, not the provider's:
 * it neither counts nor fails over.
 */
export function withFailover(primary: SmsProvider, secondary: SmsProvider | undefined, o: FailoverOptions): SmsProvider {
  if (!secondary) return primary;
  const now = o.now ?? Date.now;
  let failures = 0;
  let openUntil = 0;
  const viaSecondary = (m: SmsMessage): Promise<SmsResult> => secondary.send(m);
  return {
    name: `${primary.name}+${secondary.name}`,
    async send(m) {
      if (now() < openUntil) return viaSecondary(m);
      try {
        const r = await primary.send(m);
        failures = 0;
        return r;
      } catch (err) {
        if (err instanceof RecipientRejectedError) throw err;
        failures++;
        if (failures < o.after) throw err;
        openUntil = now() + o.cooldownMs;
        failures = 0;
        o.log?.warn({ err, primary: primary.name, secondary: secondary.name, cooldownMs: o.cooldownMs }, 'SMS primary keeps failing: failing over');
        o.onSwitch?.(secondary.name);
        return viaSecondary(m);
      }
    },
    async close() {
      await primary.close?.();
      await secondary.close?.();
    },
  };
}
