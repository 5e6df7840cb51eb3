/**
 * Builds the InfluxDB client for the configured API, and makes sure the 1.x database exists.
 */
import { InfluxDB, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from '@tianwang/core/log';
import type { InfluxConfig } from '@tianwang/core/config';
import { OperationalError } from '@tianwang/core/errors';
import { createV1Transport, v1AuthHeaders } from './v1-transport.js';

/**
 * The client logs every failed attempt to the console by default. Its logger is process-wide: route it to
 * ours at debug level (the writer logs failures itself, once per outage rather than once per attempt).
 */
export function routeClientLog(log: Logger): void {
  setLogger({
    error: (message, error) => log.debug({ err: error }, `influxdb-client: ${message}`),
    warn: (message, error) => log.debug({ err: error }, `influxdb-client: ${message}`),
  });
}

export function createInfluxClient(config: InfluxConfig): InfluxDB {
  if (config.influxApi === 'v1') {
    return new InfluxDB({ url: config.influxUrl, transport: createV1Transport(config.influxUrl, { token: config.influxToken, timeout: config.influxTimeoutMs }) });
  }
  return new InfluxDB({ url: config.influxUrl, timeout: config.influxTimeoutMs, ...(config.influxToken ? { token: config.influxToken } : {}) });
}

/** Headers for InfluxQL /query: v2 servers take the token, 1.x servers "user:password" as basic auth. */
export function queryHeaders(config: InfluxConfig): Record<string, string> {
  if (!config.influxToken) return {};
  return config.influxApi === 'v1' ? v1AuthHeaders(config.influxToken) : { Authorization: `Token ${config.influxToken}` };
}

/** Runs one InfluxQL statement over /query (POST, so statements that change things are allowed). */
export async function influxQl(config: InfluxConfig, q: string, opts: { db?: string; signal?: AbortSignal; epoch?: 'ms' | 'u' } = {}): Promise<unknown> {
  const body = new URLSearchParams({ q, epoch: opts.epoch ?? 'ms' });
  if (opts.db) body.set('db', opts.db);
  let res: Response;
  try {
    res = await fetch(`${config.influxUrl.replace(/\/$/, '')}/query`, {
      method: 'POST',
      body,
      headers: queryHeaders(config),
      signal: opts.signal ?? AbortSignal.timeout(config.influxTimeoutMs),
    });
  } catch (err) {
    throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `InfluxDB ${config.influxUrl} unreachable: ${(err as Error).message}`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `InfluxDB /query answered ${res.status}: ${text.slice(0, 300)}`);
  const json = JSON.parse(text) as { results?: { error?: string }[]; error?: string };
  const err = json.error ?? json.results?.find((r) => r.error)?.error;
  if (err) throw new OperationalError('TW_DEPENDENCY_UNAVAILABLE', `InfluxDB query failed: ${err}`);
  return json;
}

/** InfluxDB 1.x needs the database to exist; CREATE DATABASE is idempotent there. v2 buckets are provisioned by the operator. */
export async function ensureDatabase(config: InfluxConfig): Promise<void> {
  if (config.influxApi !== 'v1') return;
  await influxQl(config, `CREATE DATABASE "${config.influxDatabase.replace(/(["\\])/g, '\\$1')}"`);
}
