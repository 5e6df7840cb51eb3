import { z } from 'zod';
import { bool, url, v } from '../define.js';

export const commonVars = {
  NODE_ENV: v(z.enum(['development', 'production', 'test']).default('development'), 'Run mode; production refuses built-in development secrets.'),
  TW_LOG_LEVEL: v(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'), 'Log level of every service.'),
  TW_LOG_PRETTY: v(bool(false), 'Human-readable single-line logs instead of JSON.'),
  TW_DATA_DIR: v(z.string().min(1).default('.data'), 'Folder for the embedded database, recordings, snapshots and local service data.'),
  TW_REDIS_URL: v(url(['redis', 'rediss']).default('redis://127.0.0.1:6390'), 'Redis: pipeline stream, device shadow, BullMQ, broker persistence.'),
  TW_KEY_PREFIX: v(z.string().regex(/^[a-z0-9_-]{1,32}$/, 'must be 1–32 of a-z 0-9 _ -').default('tw'), 'Prefix of every Redis key, so deployments can share a Redis.'),
  DATABASE_URL: v(url(['postgres', 'postgresql']).optional(), 'PostgreSQL registry. Unset: an embedded PGlite database in TW_DATA_DIR/registry.', { secret: true }),
  TW_SECRET_KEY: v(
    z.string().min(32, 'must be at least 32 characters (use: openssl rand -hex 32)').optional(),
    'Master secret for signed links (SMS acknowledgements, play URLs) and the encryption of camera source URLs. Required in production; in development one is generated into TW_DATA_DIR/secret.key.',
    { secret: true },
  ),
  TW_PUBLIC_URL: v(url(['http', 'https']).default('http://127.0.0.1:8080'), 'Public base URL of the dashboard, used in SMS links and play URLs.'),
};
