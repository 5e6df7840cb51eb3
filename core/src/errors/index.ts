/**
 * Errors by intent (after n8n and fastify): the intent decides retry, HTTP status and log level.
 *   UserError         the caller sent something wrong: 4xx, logged at info, never retried
 *   OperationalError  a dependency failed (Redis, InfluxDB, SMS provider): 503, logged at warn, retried
 *   ConfigError       bad configuration: start-up stops with one line naming the variable
 *   UnexpectedError   a bug: 500, logged at error
 * Every error carries a stable code (TW_*), listed in ERROR_CODES.
 */
export type ErrorIntent = 'user' | 'operational' | 'config' | 'unexpected';

export const ERROR_CODES = {
  TW_CONFIG_INVALID: 'configuration is invalid',
  TW_TOPIC_INVALID: 'MQTT topic is malformed',
  TW_PAYLOAD_INVALID: 'payload does not match its schema',
  TW_NOT_FOUND: 'no such record',
  TW_ID_INVALID: 'an id is empty or holds a character ids may not hold (control characters, line breaks, backslash)',
  TW_CONFLICT: 'the record changed or already exists',
  TW_UNAUTHENTICATED: 'credentials missing or wrong',
  TW_FORBIDDEN: 'not allowed for this principal',
  TW_CSRF_INVALID: 'the CSRF token header of a state-changing request is missing or wrong',
  TW_RATE_LIMITED: 'too many requests',
  TW_DEPENDENCY_UNAVAILABLE: 'a dependency is unavailable',
  TW_PROVIDER_REJECTED: 'the provider refused the request permanently',
  TW_MIGRATION_FAILED: 'a database migration failed',
  TW_SCENARIO_INVALID: 'a fleet simulator scenario is invalid',
  TW_BUFFER_FULL: 'a bounded buffer in front of a dependency is full: the request was not accepted',
  TW_UNEXPECTED: 'unexpected internal error',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export abstract class TianwangError extends Error {
  abstract readonly intent: ErrorIntent;
  constructor(readonly code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  /** HTTP status an API answers with for this error. */
  get status(): number {
    return 500;
  }
  get retryable(): boolean {
    return false;
  }
}

export class UserError extends TianwangError {
  readonly intent = 'user' as const;
  constructor(code: ErrorCode, message: string, readonly httpStatus = 400, options?: { cause?: unknown }) {
    super(code, message, options);
  }
  override get status(): number {
    return this.httpStatus;
  }
}

export class NotFoundError extends UserError {
  constructor(what: string) {
    super('TW_NOT_FOUND', `${what} not found`, 404);
  }
}
export class UnauthenticatedError extends UserError {
  constructor(message = 'authentication required') {
    super('TW_UNAUTHENTICATED', message, 401);
  }
}
export class ForbiddenError extends UserError {
  constructor(message = 'forbidden') {
    super('TW_FORBIDDEN', message, 403);
  }
}

export class OperationalError extends TianwangError {
  readonly intent = 'operational' as const;
  override get status(): number {
    return 503;
  }
  override get retryable(): boolean {
    return true;
  }
}

/** A permanent failure of an external system (e.g. SMS provider says the number is invalid): never retried. */
export class PermanentError extends TianwangError {
  readonly intent = 'operational' as const;
  override get status(): number {
    return 502;
  }
}

export class ConfigError extends TianwangError {
  readonly intent = 'config' as const;
  constructor(readonly variable: string, problem: string) {
    // one line whatever the problem says: start-up prints it as is
    super('TW_CONFIG_INVALID', `${variable}: ${problem.replace(/\s*[\r\n]+\s*/g, ' ')}`);
  }
}

export class UnexpectedError extends TianwangError {
  readonly intent = 'unexpected' as const;
}

export function isTianwangError(err: unknown): err is TianwangError {
  return err instanceof TianwangError;
}

/**
 * Whether trying the same thing again may succeed: a TianwangError says so by its intent (`retryable`); any other
 * error (a socket reset, a fetch that failed) is taken as a transient failure of the dependency.
 */
export function isRetryable(err: unknown): boolean {
  return isTianwangError(err) ? err.retryable : true;
}

/**
 * Redis or PostgreSQL unreachable, restarting or shutting down: ioredis's give-up and socket errors, node-postgres's
 * broken connections, and the SQLSTATEs of class 08 (connection exception) and 57P01–57P03 (the server is shutting
 * down, crashed, or cannot accept connections yet, as during a restart). An outage to report and retry (503), not a
 * bug; HTTP handlers answer it as TW_DEPENDENCY_UNAVAILABLE.
 */
export function isDependencyUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code))) return true;
  return /ECONNREFUSED|ECONNRESET|Connection is closed|Connection terminated|timeout exceeded when trying to connect/.test(err.message);
}
