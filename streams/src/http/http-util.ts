import type { IncomingMessage, ServerResponse } from 'node:http';
import { ERROR_CODES, isDependencyUnavailable, isTianwangError, UserError, type ErrorCode } from '@tianwang/core/errors';
import type { Logger } from '@tianwang/core/log';

export const CORS = { 'access-control-allow-origin': '*' };

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...CORS }).end(text);
}

/**
 * The one error shape of the relay, the dashboard's (dashboard/src/http/errors.ts): `{ code, message }`, the code
 * from core's error registry. Without a message, the registry's sentence for the code.
 */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export const errorBody = (code: ErrorCode, message: string = ERROR_CODES[code]): ErrorBody => ({ code, message });

export function sendErrorBody(res: ServerResponse, status: number, code: ErrorCode, message?: string): void {
  sendJson(res, status, errorBody(code, message));
}

/**
 * Errors by intent: a TianwangError answers with its status, code and message, except that a 5xx keeps its
 * details (a dependency's address, its answer) for the log and tells the client only the registry's sentence.
 * Redis or PostgreSQL unreachable or restarting is a 503 and a warning. Anything else is a bug: 500 TW_UNEXPECTED, logged at error with the error object.
 */
export function sendError(res: ServerResponse, err: unknown, log: Logger): void {
  if (isTianwangError(err)) {
    if (err.status >= 500) {
      log.warn({ err }, 'request failed');
      return sendErrorBody(res, err.status, err.code);
    }
    return sendErrorBody(res, err.status, err.code, err.message);
  }
  if (isDependencyUnavailable(err)) {
    // Redis or the registry restarting: the player or the dashboard retries
    log.warn({ err }, 'dependency unavailable');
    if (!res.headersSent) res.setHeader('retry-after', '5');
    return sendErrorBody(res, 503, 'TW_DEPENDENCY_UNAVAILABLE');
  }
  log.error({ err }, 'request failed unexpectedly');
  sendErrorBody(res, 500, 'TW_UNEXPECTED');
}

export async function readJson(req: IncomingMessage, limit = 16_384): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new UserError('TW_PAYLOAD_INVALID', 'body too large', 413);
    chunks.push(chunk);
  }
  if (size === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new UserError('TW_PAYLOAD_INVALID', 'body is not JSON');
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** RFC 9112 3.2.1 origin-form: absolute path (RFC 3986 pchars, "/") and optional query, percent-encodings whole. */
const ORIGIN_FORM = /^\/(?:[\w\-.~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*(?:\?(?:[\w\-.~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?$/;

/**
 * The request target as a URL, or null (answer 400) when it is not origin-form. `new URL(target, base)` used to
 * read `//[x/…` as an authority with a bad host and throw; a checked path after a fixed base stays a path.
 */
export function requestUrl(req: IncomingMessage): URL | null {
  const target = req.url ?? '';
  if (target.length > 4096 || !ORIGIN_FORM.test(target)) return null;
  try {
    return new URL(`http://relay${target}`);
  } catch {
    return null;
  }
}

export function clientIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}
