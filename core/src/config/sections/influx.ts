import { z } from 'zod';
import { positiveInt, url, v } from '../define.js';

export const influxVars = {
  TW_INFLUX_URL: v(url(['http', 'https']).default('http://127.0.0.1:8096'), 'InfluxDB base URL.'),
  TW_INFLUX_API: v(z.enum(['v1', 'v2']).default('v1'), 'Write API: v1 for InfluxDB 1.x (/write), v2 for InfluxDB 2.x/3.x/Cloud (/api/v2/write).'),
  TW_INFLUX_DATABASE: v(z.string().min(1).default('tianwang'), 'Database (v1) or bucket (v2) for telemetry.'),
  TW_INFLUX_ORG: v(z.string().default(''), 'Organisation (v2 only).'),
  TW_INFLUX_TOKEN: v(z.string().optional(), 'API token (v2), or "user:password" for InfluxDB 1.x with auth.', { secret: true }),
  TW_INFLUX_TIMEOUT_MS: v(positiveInt(10_000, 600_000), 'HTTP timeout of one InfluxDB write or query.'),
  TW_INFLUX_RETRY_MAX_MS: v(positiveInt(5_000, 600_000), 'Longest pause between retries of a failed write (the client backs off exponentially from 500 ms up to this).'),
};
