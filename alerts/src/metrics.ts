import { Counter, Gauge, Histogram } from 'prom-client';
import { createMetricsRegistry, type Registry } from '@tianwang/core/metrics';

/** alerts_* metrics on a fresh registry per service instance. */
export function createAlertsMetrics() {
  const registry: Registry = createMetricsRegistry('alerts');
  const r = [registry];
  return {
    registry,
    entries: new Counter({ name: 'alerts_entries_total', help: 'Stream entries evaluated, by source and kind', labelNames: ['source', 'kind'], registers: r }),
    signals: new Counter({ name: 'alerts_signals_total', help: 'Rule decisions, by action and alarm type', labelNames: ['action', 'type'], registers: r }),
    alarmsOpened: new Counter({ name: 'alerts_alarms_opened_total', help: 'New alarms (not repeats), by type and severity', labelNames: ['type', 'severity'], registers: r }),
    alarmsClosed: new Counter({ name: 'alerts_alarms_closed_total', help: 'Alarms closed, by outcome', labelNames: ['outcome'], registers: r }),
    sms: new Counter({ name: 'alerts_sms_total', help: 'SMS results, by provider and result (sent, retry, failed, merged, held, cancelled, resumed)', labelNames: ['provider', 'result'], registers: r }),
    failover: new Counter({ name: 'alerts_sms_failover_total', help: 'Switches to the failover provider', registers: r }),
    batchSeconds: new Histogram({ name: 'alerts_batch_seconds', help: 'Time to evaluate one batch of uplink entries', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: r }),
    eventToSms: new Histogram({
      name: 'alerts_event_to_sms_seconds', help: 'From the broker receiving a message to the provider accepting the first SMS (immediate stages)',
      buckets: [0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10], registers: r,
    }),
    silentDevices: new Gauge({ name: 'alerts_silent_devices', help: 'Devices currently silent (as of the last scan by this worker)', registers: r }),
    silenceJudgedLag: new Gauge({
      name: 'alerts_silence_judged_lag_seconds',
      help: 'How far behind the clock the uplink stream has been handled at the last silence scan: deadlines are judged up to there',
      registers: r,
    }),
  };
}
export type AlertsMetrics = ReturnType<typeof createAlertsMetrics>;
