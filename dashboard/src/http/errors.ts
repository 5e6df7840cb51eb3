import type { FastifyError, FastifyInstance } from 'fastify';
import { ERROR_CODES, isDependencyUnavailable, isTianwangError, type ErrorCode } from '@tianwang/core/errors';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'TW_PAYLOAD_INVALID',
  401: 'TW_UNAUTHENTICATED',
  403: 'TW_FORBIDDEN',
  404: 'TW_NOT_FOUND',
  409: 'TW_CONFLICT',
  413: 'TW_PAYLOAD_INVALID',
  415: 'TW_PAYLOAD_INVALID',
  429: 'TW_RATE_LIMITED',
};

// PostgreSQL SQLSTATEs a request can cause with valid-looking input (PGlite reports the same codes)
const PG: Record<string, { status: number; code: ErrorCode; message: string }> = {
  '23505': { status: 409, code: 'TW_CONFLICT', message: 'a record with this id, code or name already exists' },
  '23503': { status: 400, code: 'TW_PAYLOAD_INVALID', message: 'refers to a record that does not exist (or is still referred to)' },
  '23514': { status: 400, code: 'TW_PAYLOAD_INVALID', message: 'a value does not satisfy a rule of the registry' },
  '22P02': { status: 400, code: 'TW_PAYLOAD_INVALID', message: 'a value has the wrong form' },
  '22007': { status: 400, code: 'TW_PAYLOAD_INVALID', message: 'a date or time is malformed' },
  '22008': { status: 400, code: 'TW_PAYLOAD_INVALID', message: 'a date or time is out of range' },
};

/**
 * One error shape for every error: `{ code, message }`, the code from core's error registry. The intent of a
 * TianwangError decides the status; fastify's own errors (validation, body too large, bad content type) map by
 * their status; a registry constraint violation becomes a 409 or 400 with a plain message (never the SQL).
 * Anything else is a bug: 500 TW_UNEXPECTED, logged with the error object, the message kept generic.
 */
export function errorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError & { constraint?: string }, req, reply) => {
    if (isTianwangError(err)) {
      const status = err.status;
      if (status >= 500) {
        // the details (a dependency's address, its answer) go to the log, not to the browser
        req.log[err.intent === 'operational' ? 'warn' : 'error']({ err }, 'request failed');
        return reply.code(status).send({ code: err.code, message: ERROR_CODES[err.code] });
      }
      req.log.info({ code: err.code, msg: err.message }, 'request refused');
      return reply.code(status).send({ code: err.code, message: err.message, ...('errors' in err && Array.isArray(err.errors) ? { errors: err.errors } : {}) });
    }
    if (err.validation) return reply.code(400).send({ code: 'TW_PAYLOAD_INVALID', message: err.message });
    const pg = typeof err.code === 'string' ? PG[err.code] : undefined;
    if (pg) {
      req.log.info({ sqlstate: err.code, constraint: err.constraint }, 'registry refused a write');
      return reply.code(pg.status).send({ code: pg.code, message: err.constraint ? `${pg.message} (${err.constraint})` : pg.message });
    }
    if (isDependencyUnavailable(err)) {
      // an outage of Redis or the database is the operator's to see (a warning), not a bug; the browser may retry
      req.log.warn({ err }, 'dependency unavailable');
      return reply.code(503).header('retry-after', '5').send({ code: 'TW_DEPENDENCY_UNAVAILABLE', message: 'a dependency is unavailable; try again shortly' });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) return reply.code(status).send({ code: BY_STATUS[status] ?? 'TW_PAYLOAD_INVALID', message: err.message });
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ code: 'TW_UNEXPECTED', message: 'unexpected internal error' });
  });
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
  parentSchema?: { description?: string };
}

/**
 * A schema violation in words a person can act on: the field, then the schema's own description when the value has
 * the wrong form ("safetyOfficerPhone: E.164 phone number, e.g. +8613800000000") rather than a regular expression.
 * Needs ajv's `verbose` (parentSchema on each error), set in app.ts.
 */
export function schemaErrorMessage(errors: AjvError[], dataVar: string): Error {
  const e = errors[0];
  if (!e) return new Error(`${dataVar} is invalid`);
  const missing = e.keyword === 'required' ? String(e.params?.missingProperty ?? '') : '';
  const path = `${dataVar}${e.instancePath}${missing ? `/${missing}` : ''}`.replace(/^(body|querystring|params)\//, '');
  const described = (e.keyword === 'pattern' || e.keyword === 'format') && e.parentSchema?.description;
  return new Error(`${path}: ${described || (missing ? 'is required' : e.message ?? 'is invalid')}`);
}

/** Unknown routes under the API answer JSON, like every other API error. */
export function apiNotFound(app: FastifyInstance): void {
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'TW_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` }));
}
