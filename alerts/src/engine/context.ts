import type { Logger } from '@tianwang/core/log';
import type { Registry } from '@tianwang/core/registry';
import type { AlarmService } from '../alarms/alarm-service.js';
import type { Escalator } from '../escalation/escalator.js';
import type { AlertsMetrics } from '../metrics.js';
import type { RuleBook } from '../rules/rule-book.js';
import type { DeviceCache } from './device-cache.js';
import type { SilenceWatch } from './silence-watch.js';
import type { RuleStateStore } from './state-store.js';

/** What the rule engine's handlers share (built once by createAlerts). */
export interface EngineContext {
  registry: Registry;
  devices: DeviceCache;
  rules: RuleBook;
  states: RuleStateStore;
  silence: SilenceWatch;
  alarms: AlarmService;
  escalator: Escalator;
  metrics: AlertsMetrics;
  log: Logger;
  silenceMultiple: number;
  timezone: string;
  now: () => number;
}
