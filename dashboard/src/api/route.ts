import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { z } from 'zod';
import type { Role } from '@tianwang/core/registry';
import type { Session } from '../auth/sessions.js';
import { ErrorBody, jsonSchema } from './schema.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the caller's session (null before the auth hook ran, or on a public route without a cookie) */
    session: Session | null;
  }
  interface FastifyContextConfig {
    /** 'public': no session needed (sign-in); default: a session is required (401 without) */
    auth?: 'public' | 'session';
    /** roles that may use the route at all (403 TW_FORBIDDEN for the others); default every role */
    roles?: readonly Role[];
  }
}

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : undefined;

export interface RouteSpec<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined, R extends Schema | null> {
  method: HTTPMethods;
  url: string;
  summary: string;
  tags: string[];
  description?: string;
  auth?: 'public' | 'session';
  roles?: readonly Role[];
  params?: P;
  querystring?: Q;
  body?: B;
  /** the success body; null = 204 No Content */
  response: R;
  /** success status (default 200, or 204 when response is null) */
  status?: number;
  /** other media types the route may answer with (documented; e.g. the xlsx export of a list) */
  produces?: string[];
  /** body content types accepted besides JSON (e.g. an .xlsx upload) */
  consumes?: string[];
}

export interface TypedRequest<P, Q, B> extends Omit<FastifyRequest, 'params' | 'query' | 'body'> {
  params: P;
  query: Q;
  body: B;
  /** non-null on every route that is not public */
  session: Session;
}

/**
 * Declares one API route: its zod shapes become the fastify schema (validation, serialization, OpenAPI),
 * and the handler is typed from them. Every route answers errors as `{ code, message }` (see http/errors.ts).
 */
export function route<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined, R extends Schema | null = null>(
  app: FastifyInstance,
  spec: RouteSpec<P, Q, B, R>,
  handler: (req: TypedRequest<Out<P>, Out<Q>, Out<B>>, reply: FastifyReply) => Promise<(R extends Schema ? z.input<R> : void) | FastifyReply>,
): void {
  const status = spec.status ?? (spec.response ? 200 : 204);
  const error = jsonSchema(ErrorBody, 'output');
  const response: Record<string, unknown> = {
    [status]: spec.response ? { ...jsonSchema(spec.response, 'output'), description: 'OK' } : { type: 'null', description: 'No Content' },
    '4xx': { ...error, description: 'client error: TW_PAYLOAD_INVALID 400, TW_UNAUTHENTICATED 401, TW_FORBIDDEN / TW_CSRF_INVALID 403, TW_NOT_FOUND 404, TW_CONFLICT 409, TW_RATE_LIMITED 429' },
    '5xx': { ...error, description: 'server or dependency error' },
  };
  const schema: Record<string, unknown> = { summary: spec.summary, tags: spec.tags, response };
  if (spec.description) schema.description = spec.description;
  if (spec.params) schema.params = jsonSchema(spec.params, 'input');
  if (spec.querystring) schema.querystring = jsonSchema(spec.querystring, 'input');
  if (spec.body) schema.body = jsonSchema(spec.body, 'input');
  if (spec.produces) schema.produces = ['application/json', ...spec.produces];
  if (spec.consumes) schema.consumes = spec.consumes;
  if (spec.auth !== 'public') schema.security = [{ session: [] }];
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    config: { auth: spec.auth ?? 'session', ...(spec.roles ? { roles: spec.roles } : {}) },
    handler: handler as unknown as (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  });
}
