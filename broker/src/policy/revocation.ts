import type { Logger } from '@tianwang/core/log';
import type { Client } from 'aedes';
import type { TwClient } from '../client-state.js';
import type { DeviceCredentialCache } from './device-auth-source.js';
import type { BrokerMetrics } from '../metrics.js';

export interface RevocationOptions {
  cache: DeviceCredentialCache;
  clients: () => Record<string, Client>;
  intervalMs: number;
  log: Logger;
  metrics: BrokerMetrics;
}

/**
 * Every `intervalMs` (TW_MQTT_AUTH_CACHE_MS), while devices are connected, re-reads all device credentials in
 * one query (which also refreshes the login cache) and closes each session whose device was disabled, removed,
 * or had its secret rotated since it connected. So revocation takes effect within one interval.
 */
export function startRevocationSweep(o: RevocationOptions): { stop(): void } {
  let running = false;
  const sweep = async () => {
    if (running) return;
    const devices = Object.values(o.clients()).filter((c) => (c as TwClient).tw?.principal?.type === 'device') as TwClient[];
    if (devices.length === 0) return;
    running = true;
    try {
      const rows = await o.cache.refreshAll();
      for (const c of devices) {
        const p = c.tw.principal;
        if (!p || p.type !== 'device' || c.closed) continue;
        const row = rows.get(c.id);
        const why = !row ? 'removed' : !row.enabled ? 'disabled' : row.credentialHash !== p.credentialHash ? 'credential changed' : undefined;
        if (!why) continue;
        c.tw.revoked = true;
        c.tw.closeReason = 'revoked';
        o.metrics.limitViolations.labels('revoked').inc();
        o.log.info({ clientId: c.id, why }, 'device revoked: disconnecting');
        c.close();
      }
    } catch (err) {
      o.log.warn({ err }, 'revocation sweep failed (registry unavailable?)');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void sweep(), o.intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
