import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/index.js';
import type { ParsedVars, VarTable } from './define.js';
import { alertsVars } from './sections/alerts.js';
import { brokerVars } from './sections/broker.js';
import { commonVars } from './sections/common.js';
import { dashboardVars } from './sections/dashboard.js';
import { influxVars } from './sections/influx.js';
import { ingestVars } from './sections/ingest.js';
import { streamsVars } from './sections/streams.js';
import { platformVars } from './sections/platform.js';

/** Every section of the platform's configuration, in the order the reference prints them. */
export const CONFIG_SECTIONS = {
  common: commonVars,
  influx: influxVars,
  broker: brokerVars,
  ingest: ingestVars,
  alerts: alertsVars,
  streams: streamsVars,
  dashboard: dashboardVars,
  platform: platformVars,
} as const;

type Sections = typeof CONFIG_SECTIONS;

/** TW_MQTT_PORT → mqttPort, DATABASE_URL → databaseUrl */
type CamelTail<S extends string> = S extends `${infer H}_${infer T}` ? `${Capitalize<Lowercase<H>>}${CamelTail<T>}` : Capitalize<Lowercase<S>>;
type Camel<S extends string> = S extends `TW_${infer R}` ? Camel<R> : S extends `${infer H}_${infer T}` ? `${Lowercase<H>}${CamelTail<T>}` : Lowercase<S>;
type CamelVars<T extends VarTable> = { [K in keyof T & string as Camel<K>]: ParsedVars<T>[K] };

export type PlatformConfig = { [S in keyof Sections]: CamelVars<Sections[S]> };
export type CommonConfig = PlatformConfig['common'];
export type InfluxConfig = PlatformConfig['influx'];
export type BrokerConfig = PlatformConfig['broker'];
export type IngestConfig = PlatformConfig['ingest'];
export type AlertsConfig = PlatformConfig['alerts'];
export type StreamsConfig = PlatformConfig['streams'];
export type DashboardConfig = PlatformConfig['dashboard'];

export function camelName(envName: string): string {
  const words = envName.replace(/^TW_/, '').toLowerCase().split('_');
  return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join('');
}

/** The raw value of a variable, reading NAME_FILE for secrets. Empty strings count as unset. */
function rawValue(name: string, secret: boolean | undefined, env: Record<string, string | undefined>, declared: Set<string>): string | undefined {
  const direct = env[name];
  const fileVar = `${name}_FILE`;
  const file = env[fileVar];
  if (file && !secret && !declared.has(fileVar)) throw new ConfigError(fileVar, `only secrets may be read from a file; set ${name} itself`);
  if (secret && file) {
    if (direct) throw new ConfigError(name, `set either ${name} or ${fileVar}, not both`);
    try {
      return readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(fileVar, `cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return direct === '' ? undefined : direct;
}

// A stray newline, tab or carriage return (a .env file saved on Windows) is never meant: refuse it for every variable.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function parseSection<T extends VarTable>(table: T, env: Record<string, string | undefined>, declared: Set<string>): CamelVars<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) {
    const raw = rawValue(name, spec.secret, env, declared);
    const shown = raw === undefined || spec.secret ? '' : ` (got ${JSON.stringify(raw.slice(0, 60))})`;
    if (raw !== undefined && CONTROL_CHARS.test(raw)) throw new ConfigError(name, `must not contain control characters (newline, tab …)${shown}`);
    const result = spec.schema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const problem = raw === undefined && issue?.code === 'invalid_type' ? 'is required' : (issue?.message ?? 'is invalid');
      throw new ConfigError(name, `${problem}${shown}`);
    }
    out[camelName(name)] = result.data;
  }
  return out as CamelVars<T>;
}

/** Rules that involve more than one variable. */
function checkCrossRules(c: PlatformConfig): void {
  if (c.broker.mqttsPort !== undefined && (!c.broker.mqttTlsCertFile || !c.broker.mqttTlsKeyFile))
    throw new ConfigError('TW_MQTTS_PORT', 'needs TW_MQTT_TLS_CERT_FILE and TW_MQTT_TLS_KEY_FILE');
  if (c.common.nodeEnv === 'production') {
    if (!c.common.secretKey) throw new ConfigError('TW_SECRET_KEY', 'is required when NODE_ENV=production');
    if (!c.broker.mqttServicePassword) throw new ConfigError('TW_MQTT_SERVICE_PASSWORD', 'is required when NODE_ENV=production');
  }
  if (c.alerts.smsProvider === 'aliyun' && (!c.alerts.aliyunAccessKeyId || !c.alerts.aliyunAccessKeySecret))
    throw new ConfigError('TW_ALIYUN_ACCESS_KEY_ID', 'and TW_ALIYUN_ACCESS_KEY_SECRET are required when TW_SMS_PROVIDER=aliyun');
  if (c.alerts.smsProvider === 'twilio' && (!c.alerts.twilioAccountSid || !c.alerts.twilioAuthToken || !c.alerts.twilioFrom))
    throw new ConfigError('TW_TWILIO_ACCOUNT_SID', 'TW_TWILIO_AUTH_TOKEN and TW_TWILIO_FROM are required when TW_SMS_PROVIDER=twilio');
  if (c.alerts.escalateInspectorMin <= c.alerts.escalatePrincipalMin)
    throw new ConfigError('TW_ESCALATE_INSPECTOR_MIN', `must be later than TW_ESCALATE_PRINCIPAL_MIN (${c.alerts.escalatePrincipalMin})`);
  try {
    new Intl.DateTimeFormat('en', { timeZone: c.alerts.timezone });
  } catch {
    throw new ConfigError('TW_TIMEZONE', `unknown time zone "${c.alerts.timezone}"`);
  }
}

/**
 * Parses the whole platform configuration once, at the edge. Throws ConfigError whose message is one line:
 * "TW_MQTT_PORT: must be 1–65535 (got "70000")". Values are shown JSON-quoted; secrets are never shown.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  const declared = new Set(Object.values(CONFIG_SECTIONS).flatMap((table) => Object.keys(table)));
  const config = Object.fromEntries(
    Object.entries(CONFIG_SECTIONS).map(([section, table]) => [section, parseSection(table as VarTable, env, declared)]),
  ) as PlatformConfig;
  checkCrossRules(config);
  return config;
}
