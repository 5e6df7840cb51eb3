import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/**
 * zod 4 → JSON Schema (draft-07, what fastify's ajv validates and fast-json-stringify serializes). Routes
 * declare their shapes once with zod: the handler's types come from z.output, the request is validated by
 * fastify against this schema (ajv coerces query strings and fills defaults), and @fastify/swagger builds the
 * OpenAPI document from it. zod itself does not run per request.
 *
 * A nullable object or array comes out of zod as anyOf [X, null]; it is flattened to type [X, 'null'] because
 * fast-json-stringify picks an anyOf branch by validating every value against each branch, which is slow on
 * lists of thousands of rows.
 */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, {
    target: 'draft-7',
    io,
    unrepresentable: 'any',
    override: ({ jsonSchema: js }) => {
      const any = js.anyOf as JsonSchema[] | undefined;
      if (!any || any.length !== 2) return;
      const nul = any.findIndex((b) => b.type === 'null' && Object.keys(b).length === 1);
      const other = any[1 - nul];
      if (nul < 0 || !other || (typeof other.type !== 'string' && !Array.isArray(other.type))) return;
      delete js.anyOf;
      Object.assign(js, other, { type: [...(Array.isArray(other.type) ? other.type : [other.type]), 'null'] });
    },
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

/** The one error shape of the API. `errors` lists row-level problems of an import. */
export const ErrorBody = z.object({
  code: z.string().meta({ description: "a stable code from core's error registry, e.g. TW_NOT_FOUND" }),
  message: z.string(),
  errors: z.array(z.object({ row: z.number().int(), column: z.string(), message: z.string() })).optional(),
});

// Reusable field shapes.
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 phone number, e.g. +8613800000000').meta({ description: 'an E.164 phone number, e.g. +8613800000000' });
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).meta({ description: 'YYYY-MM-DD' });
export const Id = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/);
export const IdParams = z.object({ id: Id });
/** epoch milliseconds or an ISO 8601 time */
export const TimeParam = z.string().max(40).meta({ description: 'epoch milliseconds or ISO 8601 time' });
