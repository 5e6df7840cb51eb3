import type { RuleMeta, RuleSettings, Signal } from './types.js';

/**
 * Silence: a device that stops reporting. The deadline moves forward with every message; a device whose
 * deadline passes is silent. The watch itself (a Redis sorted set scanned by every worker, claimed atomically)
 * is in engine/silence-watch.ts; here are the pure parts.
 */
export const SILENCE_RULES: RuleMeta[] = (['elevator', 'boiler'] as const).map((subject) => ({
  key: 'silence',
  kind: 'silence',
  subject,
  zh: '监测终端离线（长时间无数据）',
  en: 'terminal silent (no data)',
  severity: 'major',
  // multiple: 0 = use TW_SILENCE_MULTIPLE; minS: never less than this, so a 1 s interval does not page on a hiccup
  params: { multiple: 0, minS: 30 },
}));

export function silenceDeadline(lastSeenMs: number, intervalS: number, settings: RuleSettings, defaultMultiple: number): number {
  const multiple = settings.params.multiple || defaultMultiple;
  return lastSeenMs + Math.max(intervalS * multiple, settings.params.minS ?? 0) * 1000;
}

export function silenceSignal(action: 'raise' | 'clear', settings: RuleSettings, at: number, lastSeenMs?: number): Signal {
  const meta = SILENCE_RULES[0]!;
  return {
    action, type: 'silence', severity: settings.severity, title: { zh: meta.zh, en: meta.en }, at,
    ...(lastSeenMs ? { detail: { lastSeenAt: new Date(lastSeenMs).toISOString() } } : {}),
  };
}
