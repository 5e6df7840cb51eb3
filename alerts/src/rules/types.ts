import type { Severity } from '@tianwang/core/registry';

export type { Severity } from '@tianwang/core/registry';
export const SEVERITIES: readonly Severity[] = ['critical', 'major', 'minor', 'warning'];

export type RuleKind = 'fault' | 'threshold' | 'silence' | 'calendar' | 'camera';
export type RuleSubject = 'elevator' | 'boiler' | 'camera';

/** What every rule is known by: its key (the alarm type), what it watches, and its default settings. */
export interface RuleMeta {
  key: string;
  kind: RuleKind;
  subject: RuleSubject;
  zh: string;
  en: string;
  severity: Severity;
  /** numeric thresholds and durations; a district may override any of them */
  params: Record<string, number>;
}

/** The settings a rule runs with for one device, after overrides. */
export interface RuleSettings {
  enabled: boolean;
  severity: Severity;
  params: Record<string, number>;
}

/** A rule's decision: raise (or refresh) the alarm of this type, or record that its condition cleared. */
export interface Signal {
  action: 'raise' | 'clear';
  type: string;
  severity: Severity;
  title: { zh: string; en: string };
  /** ms since epoch */
  at: number;
  detail?: Record<string, string | number | boolean>;
}
