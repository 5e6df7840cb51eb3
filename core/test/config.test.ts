import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_SECTIONS, camelName, loadConfig, type PlatformConfig, type VarSpec } from '@tianwang/core/config';
import { ConfigError } from '@tianwang/core/errors';

type Env = Record<string, string | undefined>;

const ALL_VARS: { section: keyof PlatformConfig; name: string; spec: VarSpec }[] = Object.entries(CONFIG_SECTIONS).flatMap(([section, table]) =>
  Object.entries(table as Record<string, VarSpec>).map(([name, spec]) => ({ section: section as keyof PlatformConfig, name, spec })),
);

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw one). */
function configError(env: Env): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`expected a ConfigError, got ${String(err)}`);
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused, but it was accepted`);
}

/** The ConfigError contract: one line, starting with the variable's name. */
function expectRefused(env: Env, variable: string): ConfigError {
  const err = configError(env);
  expect(err.variable).toBe(variable);
  expect(err.code).toBe('TW_CONFIG_INVALID');
  expect(err.intent).toBe('config');
  expect(err.message.startsWith(`${variable}: `)).toBe(true);
  expect(err.message).not.toMatch(/[\r\n]/);
  expect(err.message.length).toBeLessThan(300);
  return err;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}

/**
 * Invalid values derived from a variable's schema, so a variable another section adds is covered without
 * touching this file: numbers (not a number, not whole, below and above the range), enums and booleans
 * (a value outside the list), strings with a minimum length, and *_URL variables.
 */
function derivedInvalidValues(name: string, spec: VarSpec): string[] {
  const s = unwrap(spec.schema);
  if (s instanceof z.ZodNumber) {
    const out = ['abc', '12abc'];
    if (s.isInt) out.push('1.5');
    if (s.minValue !== null && Number.isSafeInteger(s.minValue)) out.push(String(s.minValue - 1));
    if (s.maxValue !== null && s.maxValue < Number.MAX_SAFE_INTEGER) out.push(String(s.maxValue + 1));
    return out;
  }
  if (s instanceof z.ZodEnum) return ['no-such-option', String(s.options[0]).toUpperCase() + '!'];
  if (s instanceof z.ZodPipe && s.in instanceof z.ZodEnum) return ['maybe', '2'];
  if (s instanceof z.ZodString) {
    const out: string[] = [];
    if (s.minLength !== null && s.minLength > 1) out.push('x'.repeat(s.minLength - 1));
    if (name.endsWith('_URL')) out.push('not a url', 'ftp://example.org/');
    return out;
  }
  return [];
}

/** Values a type alone does not tell: patterns, and rules checked after parsing. */
const EXPLICIT_INVALID: Record<string, string[]> = {
  TW_KEY_PREFIX: ['Has-Upper', 'with space', 'x'.repeat(33), 'a:b'],
  TW_QUIET_HOURS: ['25:00-08:00', '22:00', '22:60-08:00', '10pm-8am'],
  TW_TIMEZONE: ['Mars/Olympus_Mons', 'UTC+99'],
  TW_REDIS_URL: ['http://127.0.0.1:6379', '127.0.0.1:6379'],
  DATABASE_URL: ['mysql://u@h/db'],
  TW_INFLUX_URL: ['influx://127.0.0.1:8086'],
  TW_SECRET_KEY: ['too-short-secret'],
  TW_MQTT_SERVICE_PASSWORD: ['short'],
  TW_INGEST_STORE_FIELDS: ['elevator.nope=1', 'lift.floor=change', 'elevator.door=0.5', 'boiler.pressure=-1', 'boiler.pressure=1%/0', 'elevator.seq=with/60', 'floor=change'],
};

/** Values that must be accepted, with what they parse to (coercion, booleans, URLs). */
const VALID: [string, string, unknown][] = [
  ['TW_MQTT_PORT', '1884', 1884],
  ['TW_MQTT_PORT', ' 1884 ', 1884],
  ['TW_LOG_PRETTY', 'yes', true],
  ['TW_LOG_PRETTY', '1', true],
  ['TW_LOG_PRETTY', 'off', false],
  ['TW_KEY_PREFIX', 'test_run-7', 'test_run-7'],
  ['TW_REDIS_URL', 'rediss://cache.example:6380/2', 'rediss://cache.example:6380/2'],
  ['DATABASE_URL', 'postgresql://tw:pw@db:5432/tw', 'postgresql://tw:pw@db:5432/tw'],
  ['TW_QUIET_HOURS', '23:30-06:15', '23:30-06:15'],
  ['TW_TIMEZONE', 'Europe/Berlin', 'Europe/Berlin'],
  ['TW_MQTT_WS_PORT', '8883', 8883],
  ['TW_INGEST_STORE', 'all', 'all'],
  ['TW_INGEST_STORE_FIELDS', 'boiler.pressure=0.005, elevator.load=10%/60,elevator.speed=always', 'boiler.pressure=0.005, elevator.load=10%/60,elevator.speed=always'],
];

function sectionOf(name: string): keyof PlatformConfig {
  const found = ALL_VARS.find((v) => v.name === name);
  if (!found) throw new Error(`${name} is not a configuration variable`);
  return found.section;
}

describe('config: defaults', () => {
  it('an empty environment parses to the documented defaults', () => {
    const config = loadConfig({});
    expect(Object.keys(config)).toEqual(Object.keys(CONFIG_SECTIONS));
    for (const { section, name, spec } of ALL_VARS) {
      const expected = spec.schema.parse(undefined);
      expect(config[section], name).toHaveProperty([camelName(name)]);
      expect((config[section] as Record<string, unknown>)[camelName(name)], name).toEqual(expected);
    }
    expect(config.common).toMatchObject({ nodeEnv: 'development', logPretty: false, keyPrefix: 'tw', redisUrl: 'redis://127.0.0.1:6390' });
    expect(config.influx).toMatchObject({ influxUrl: 'http://127.0.0.1:8096', influxApi: 'v1', influxDatabase: 'tianwang' });
    expect(config.broker.mqttPort).toBe(1883);
    expect(config.broker.mqttsPort).toBeUndefined();
    expect(config.common.databaseUrl).toBeUndefined();
  });

  it('an empty string counts as unset', () => {
    expect(loadConfig({ TW_MQTT_PORT: '', TW_LOG_PRETTY: '' }).broker.mqttPort).toBe(1883);
  });

  it('reads from process.env when no environment is passed', () => {
    expect(loadConfig().common.keyPrefix).toMatch(/^[a-z0-9_-]+$/);
  });

  it('variable names map to camelCase keys', () => {
    expect(camelName('TW_MQTT_PORT')).toBe('mqttPort');
    expect(camelName('DATABASE_URL')).toBe('databaseUrl');
    expect(camelName('NODE_ENV')).toBe('nodeEnv');
    expect(camelName('TW_PLAY_URL_TTL_S')).toBe('playUrlTtlS');
  });

  it.each(VALID)('accepts %s=%j', (name, value, parsed) => {
    const section = sectionOf(name);
    expect((loadConfig({ [name]: value })[section] as Record<string, unknown>)[camelName(name)]).toEqual(parsed);
  });
});

describe('config: every variable refuses invalid values with one line naming it', () => {
  const cases: [string, string][] = [];
  for (const { name, spec } of ALL_VARS) {
    // a stray newline or tab is refused for every variable, whatever its type
    cases.push([name, 'ok\nTW_OTHER=1'], [name, 'value\r']);
    for (const value of [...derivedInvalidValues(name, spec), ...(EXPLICIT_INVALID[name] ?? [])]) cases.push([name, value]);
  }

  it('covers every variable with at least one value beyond control characters where the type allows it', () => {
    const specific = new Set(cases.filter(([, v]) => !/[\r\n]/.test(v)).map(([n]) => n));
    // free text: any printable value is valid, so only control characters are refused
    const freeText = ALL_VARS.filter(({ name }) => !specific.has(name)).map(({ name }) => name);
    for (const name of freeText) expect(unwrap(ALL_VARS.find((v) => v.name === name)!.spec.schema), name).toBeInstanceOf(z.ZodString);
    for (const name of Object.keys(EXPLICIT_INVALID)) expect(ALL_VARS.some((v) => v.name === name), `${name} is no longer a variable`).toBe(true);
  });

  it.each(cases)('%s=%j', (name, value) => {
    const err = expectRefused({ [name]: value }, name);
    const spec = ALL_VARS.find((v) => v.name === name)!.spec;
    const firstLine = value.split(/[\r\n]/)[0]!;
    if (spec.secret && firstLine.length > 3) expect(err.message).not.toContain(firstLine);
  });

  it('shows the offending value quoted, so blanks are visible', () => {
    expect(configError({ TW_MQTT_PORT: '70000' }).message).toBe('TW_MQTT_PORT: must be 1–65535 (got "70000")');
    expect(configError({ TW_MQTT_PORT: 'x\ny' }).message).toContain('(got "x\\ny")');
  });
});

describe('config: secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tw-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };
  const secrets = ALL_VARS.filter((v) => v.spec.secret);

  it('the table declares secrets', () => {
    expect(secrets.map((v) => v.name)).toEqual(expect.arrayContaining(['TW_SECRET_KEY', 'DATABASE_URL', 'TW_MQTT_SERVICE_PASSWORD']));
  });

  it('reads NAME_FILE and trims the trailing newline', () => {
    const key = 'k'.repeat(40);
    const config = loadConfig({
      TW_SECRET_KEY_FILE: file('secret.key', `${key}\n`),
      DATABASE_URL_FILE: file('db-url', '  postgres://tw:pw@db/tw  \n'),
      TW_MQTT_SERVICE_PASSWORD_FILE: file('mqtt', 'service-password-0123\n'),
    });
    expect(config.common.secretKey).toBe(key);
    expect(config.common.databaseUrl).toBe('postgres://tw:pw@db/tw');
    expect(config.broker.mqttServicePassword).toBe('service-password-0123');
  });

  it.each(secrets.map((v) => v.name))('%s and %s_FILE together are refused', (name) => {
    const err = expectRefused({ [name]: 'direct-value-0123456789-0123456789', [`${name}_FILE`]: file(`${name}.both`, 'x') }, name);
    expect(err.message).toContain(`${name}_FILE`);
  });

  it.each(secrets.map((v) => v.name))('an unreadable %s_FILE is refused, naming the _FILE variable', (name) => {
    const missing = join(dir, 'does-not-exist');
    const err = expectRefused({ [`${name}_FILE`]: missing }, `${name}_FILE`);
    expect(err.message).toContain(missing);
    expect(err.message).toContain('ENOENT');
  });

  it('a directory given as the file is refused', () => {
    expect(expectRefused({ TW_SECRET_KEY_FILE: dir }, 'TW_SECRET_KEY_FILE').message).toContain('EISDIR');
  });

  it('a secret read from a file is validated, and its value never shown', () => {
    const err = expectRefused({ TW_SECRET_KEY_FILE: file('short.key', 'short-secret-value\n') }, 'TW_SECRET_KEY');
    expect(err.message).not.toContain('short-secret-value');
    expect(expectRefused({ DATABASE_URL_FILE: file('bad-url', 'mysql://secret@h/db') }, 'DATABASE_URL').message).not.toContain('secret@');
  });

  it('NAME_FILE for a variable that is not a secret is refused', () => {
    expect(expectRefused({ TW_MQTT_PORT_FILE: file('port', '1883') }, 'TW_MQTT_PORT_FILE').message).toContain('TW_MQTT_PORT');
  });
});

describe('config: rules across variables', () => {
  const secretKey = 's'.repeat(32);
  const servicePassword = 'p'.repeat(16);

  it('TW_MQTTS_PORT needs a certificate and a key', () => {
    expect(expectRefused({ TW_MQTTS_PORT: '8883' }, 'TW_MQTTS_PORT').message).toContain('TW_MQTT_TLS_CERT_FILE');
    expectRefused({ TW_MQTTS_PORT: '8883', TW_MQTT_TLS_CERT_FILE: '/etc/tw/cert.pem' }, 'TW_MQTTS_PORT');
    const ok = loadConfig({ TW_MQTTS_PORT: '8883', TW_MQTT_TLS_CERT_FILE: '/etc/tw/cert.pem', TW_MQTT_TLS_KEY_FILE: '/etc/tw/key.pem' });
    expect(ok.broker.mqttsPort).toBe(8883);
  });

  it('production needs TW_SECRET_KEY and TW_MQTT_SERVICE_PASSWORD', () => {
    expect(expectRefused({ NODE_ENV: 'production' }, 'TW_SECRET_KEY').message).toContain('NODE_ENV=production');
    expectRefused({ NODE_ENV: 'production', TW_SECRET_KEY: secretKey }, 'TW_MQTT_SERVICE_PASSWORD');
    expect(loadConfig({ NODE_ENV: 'production', TW_SECRET_KEY: secretKey, TW_MQTT_SERVICE_PASSWORD: servicePassword }).common.nodeEnv).toBe('production');
    // development generates them
    expect(loadConfig({ NODE_ENV: 'development' }).common.secretKey).toBeUndefined();
  });

  it('TW_SMS_PROVIDER=aliyun needs both access key parts', () => {
    expectRefused({ TW_SMS_PROVIDER: 'aliyun' }, 'TW_ALIYUN_ACCESS_KEY_ID');
    expectRefused({ TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: 'LTAI-test' }, 'TW_ALIYUN_ACCESS_KEY_ID');
    expect(loadConfig({ TW_SMS_PROVIDER: 'aliyun', TW_ALIYUN_ACCESS_KEY_ID: 'LTAI-test', TW_ALIYUN_ACCESS_KEY_SECRET: 'secret' }).alerts.smsProvider).toBe('aliyun');
  });

  it('TW_SMS_PROVIDER=twilio needs sid, token and sender', () => {
    expectRefused({ TW_SMS_PROVIDER: 'twilio' }, 'TW_TWILIO_ACCOUNT_SID');
    expectRefused({ TW_SMS_PROVIDER: 'twilio', TW_TWILIO_ACCOUNT_SID: 'AC1', TW_TWILIO_AUTH_TOKEN: 'tok' }, 'TW_TWILIO_ACCOUNT_SID');
    expect(loadConfig({ TW_SMS_PROVIDER: 'twilio', TW_TWILIO_ACCOUNT_SID: 'AC1', TW_TWILIO_AUTH_TOKEN: 'tok', TW_TWILIO_FROM: '+15005550006' }).alerts.twilioFrom).toBe(
      '+15005550006',
    );
  });

  it('the inspector is reminded after the principal', () => {
    expectRefused({ TW_ESCALATE_PRINCIPAL_MIN: '30', TW_ESCALATE_INSPECTOR_MIN: '30' }, 'TW_ESCALATE_INSPECTOR_MIN');
    expect(expectRefused({ TW_ESCALATE_PRINCIPAL_MIN: '90' }, 'TW_ESCALATE_INSPECTOR_MIN').message).toContain('(90)');
    expect(loadConfig({ TW_ESCALATE_PRINCIPAL_MIN: '30', TW_ESCALATE_INSPECTOR_MIN: '31' }).alerts.escalateInspectorMin).toBe(31);
  });

  it('TW_TIMEZONE must be a known IANA zone', () => {
    expect(expectRefused({ TW_TIMEZONE: 'Asia/Atlantis' }, 'TW_TIMEZONE').message).toContain('Asia/Atlantis');
  });
});
