import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  ERROR_CODES,
  ForbiddenError,
  NotFoundError,
  OperationalError,
  PermanentError,
  TianwangError,
  UnauthenticatedError,
  UnexpectedError,
  UserError,
  isDependencyUnavailable,
  isTianwangError,
  type ErrorCode,
} from '@tianwang/core/errors';
import { TopicError, parseTopic } from '@tianwang/core/topics';

describe('errors', () => {
  it('every code is a stable TW_* name with a description', () => {
    for (const [code, text] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^TW_[A-Z_]+$/);
      expect(text.length).toBeGreaterThan(5);
    }
  });

  // the intent decides HTTP status and retry; these pairs are what services rely on
  it.each([
    [new UserError('TW_PAYLOAD_INVALID', 'bad payload'), 'user', 400, false, 'TW_PAYLOAD_INVALID'],
    [new UserError('TW_CONFLICT', 'changed meanwhile', 409), 'user', 409, false, 'TW_CONFLICT'],
    [new NotFoundError('device EL-1'), 'user', 404, false, 'TW_NOT_FOUND'],
    [new UnauthenticatedError(), 'user', 401, false, 'TW_UNAUTHENTICATED'],
    [new ForbiddenError(), 'user', 403, false, 'TW_FORBIDDEN'],
    [new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'redis down'), 'operational', 503, true, 'TW_DEPENDENCY_UNAVAILABLE'],
    [new PermanentError('TW_PROVIDER_REJECTED', 'invalid number'), 'operational', 502, false, 'TW_PROVIDER_REJECTED'],
    [new ConfigError('TW_MQTT_PORT', 'must be 1–65535'), 'config', 500, false, 'TW_CONFIG_INVALID'],
    [new UnexpectedError('TW_UNEXPECTED', 'bug'), 'unexpected', 500, false, 'TW_UNEXPECTED'],
    [new TopicError('a/b', 'must start with "tw/"'), 'user', 400, false, 'TW_TOPIC_INVALID'],
  ] as [TianwangError, string, number, boolean, ErrorCode][])('%s: intent %s, status %i, retryable %s', (err, intent, status, retryable, code) => {
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TianwangError);
    expect(isTianwangError(err)).toBe(true);
    expect(err.intent).toBe(intent);
    expect(err.status).toBe(status);
    expect(err.retryable).toBe(retryable);
    expect(err.code).toBe(code);
    expect(err.name).toBe(err.constructor.name);
    expect(err.stack).toContain(err.constructor.name);
  });

  it('messages say what is wrong', () => {
    expect(new NotFoundError('device EL-1').message).toBe('device EL-1 not found');
    expect(new UnauthenticatedError().message).toBe('authentication required');
    expect(new UnauthenticatedError('token expired').message).toBe('token expired');
    expect(new ForbiddenError().message).toBe('forbidden');
  });

  it('keeps the cause', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new OperationalError('TW_DEPENDENCY_UNAVAILABLE', 'redis down', { cause }).cause).toBe(cause);
    expect(new UserError('TW_CONFLICT', 'exists', 409, { cause }).cause).toBe(cause);
  });

  it('ConfigError is one line starting with the variable', () => {
    const err = new ConfigError('TW_HTTP_PORT', 'must be a number\n  (got "x")');
    expect(err.variable).toBe('TW_HTTP_PORT');
    expect(err.message).toBe('TW_HTTP_PORT: must be a number (got "x")');
  });

  it('TopicError is a UserError that keeps the topic', () => {
    try {
      parseTopic('tw/v1/escalator/EL-1/telemetry');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(TopicError);
      expect(err).toBeInstanceOf(UserError);
      expect((err as TopicError).topic).toBe('tw/v1/escalator/EL-1/telemetry');
      expect((err as TopicError).message).toContain('unknown device kind "escalator"');
    }
  });

  it('isTianwangError tells ours from others', () => {
    for (const other of [new Error('x'), new TypeError('x'), 'TW_NOT_FOUND', { code: 'TW_NOT_FOUND', intent: 'user' }, null, undefined]) {
      expect(isTianwangError(other)).toBe(false);
    }
  });

  // a restart of Redis or PostgreSQL is an outage (503, retry), not a bug (500): the codes and messages the drivers give
  it('tells a dependency outage from a bug', () => {
    const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
    const maxRetries = Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' });
    for (const outage of [
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('57P03', 'the database system is shutting down'),
      pgError('08006', 'connection failure'),
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection is closed.'),
      maxRetries,
    ])
      expect(isDependencyUnavailable(outage), outage.message).toBe(true);
    for (const bug of [pgError('42P01', 'relation "x" does not exist'), pgError('23505', 'duplicate key'), new TypeError('x is undefined'), 'ECONNREFUSED', null])
      expect(isDependencyUnavailable(bug), String(bug)).toBe(false);
  });
});
