import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '@tianwang/core/errors';
import { CALENDAR_RULES } from './calendar.js';
import { CAMERA_RULES } from './camera.js';
import { faultRules } from './fault-event.js';
import { SILENCE_RULES } from './silence.js';
import { THRESHOLD_RULES } from './threshold.js';
import { SEVERITIES, type RuleMeta, type RuleSettings, type RuleSubject, type Severity } from './types.js';

/** Every rule the platform ships, per subject kind. Rules are data: keys, defaults and titles live here. */
export const RULE_CATALOG: RuleMeta[] = [...faultRules(), ...THRESHOLD_RULES, ...SILENCE_RULES, ...CALENDAR_RULES, ...CAMERA_RULES];

/**
 * A district's tuning, versioned: `version` is stored on every alarm raised under it (rule_version).
 * Later entries of the same scope win; more specific scopes win over broader ones: district < model < device.
 */
export const ruleOverridesSchema = z.object({
  version: z.number().int().min(1),
  overrides: z.array(
    z.object({
      scope: z.enum(['all', 'district', 'model', 'device']),
      /** district id, model name or device id (camera id for camera rules); ignored for scope "all" */
      id: z.string().default(''),
      /** limit to one subject kind (a model name may exist for elevators and boilers) */
      subject: z.enum(['elevator', 'boiler', 'camera']).optional(),
      rule: z.string().min(1),
      enabled: z.boolean().optional(),
      severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
      params: z.record(z.string(), z.number()).optional(),
    }),
  ),
});
export type RuleOverrides = z.infer<typeof ruleOverridesSchema>;

export interface RuleTarget {
  subject: RuleSubject;
  id: string;
  model?: string;
  districtId?: string;
}

const SCOPE_ORDER = { all: 0, district: 1, model: 2, device: 3 } as const;

export class RuleBook {
  readonly version: number;
  private readonly cache = new Map<string, Map<string, RuleSettings>>();

  constructor(private readonly overrides: RuleOverrides = { version: 1, overrides: [] }) {
    this.version = overrides.version;
    const known = new Set(RULE_CATALOG.map((r) => r.key));
    for (const o of overrides.overrides) {
      if (!known.has(o.rule)) throw new ConfigError('TW_ALERT_RULES_FILE', `unknown rule "${o.rule}" (see docs/alerts.md for the keys)`);
    }
  }

  static fromFile(path: string | undefined): RuleBook {
    if (!path) return new RuleBook();
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConfigError('TW_ALERT_RULES_FILE', `cannot read ${JSON.stringify(path)}: ${(err as Error).message}`);
    }
    const parsed = ruleOverridesSchema.safeParse(json);
    if (!parsed.success) throw new ConfigError('TW_ALERT_RULES_FILE', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    return new RuleBook(parsed.data);
  }

  /** The settings of one rule for one target; undefined when the rule does not exist for this subject kind. */
  settings(key: string, t: RuleTarget): RuleSettings | undefined {
    const cacheKey = `${t.subject}|${t.id}|${t.model ?? ''}|${t.districtId ?? ''}`;
    let perTarget = this.cache.get(cacheKey);
    if (!perTarget) {
      // the cache is bounded by the fleet size; a device moved to another district comes back with a new key
      if (this.cache.size > 200_000) this.cache.clear();
      perTarget = new Map();
      this.cache.set(cacheKey, perTarget);
    }
    let s = perTarget.get(key);
    if (!s) {
      s = this.resolve(key, t);
      if (!s) return undefined;
      perTarget.set(key, s);
    }
    return s;
  }

  private resolve(key: string, t: RuleTarget): RuleSettings | undefined {
    const meta = RULE_CATALOG.find((r) => r.key === key && r.subject === t.subject);
    if (!meta) return undefined;
    const s: RuleSettings = { enabled: true, severity: meta.severity, params: { ...meta.params } };
    const matching = this.overrides.overrides
      .filter((o) => o.rule === key && (!o.subject || o.subject === t.subject))
      .filter((o) => o.scope === 'all' || (o.scope === 'district' && o.id === t.districtId) || (o.scope === 'model' && o.id === t.model) || (o.scope === 'device' && o.id === t.id))
      .map((o, i) => ({ o, i }))
      .sort((a, b) => SCOPE_ORDER[a.o.scope] - SCOPE_ORDER[b.o.scope] || a.i - b.i);
    for (const { o } of matching) {
      if (o.enabled !== undefined) s.enabled = o.enabled;
      if (o.severity) s.severity = o.severity;
      if (o.params) Object.assign(s.params, o.params);
    }
    return s;
  }
}
