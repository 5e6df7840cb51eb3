import { z } from 'zod';

/**
 * One environment variable: its schema (which holds the default), whether it is a secret (then NAME_FILE
 * may name a file that holds it), and the sentence the configuration reference prints.
 */
export interface VarSpec<T extends z.ZodType = z.ZodType> {
  schema: T;
  doc: string;
  secret?: boolean;
}

export function v<T extends z.ZodType>(schema: T, doc: string, opts: { secret?: boolean } = {}): VarSpec<T> {
  return { schema, doc, ...opts };
}

export type VarTable = Record<string, VarSpec>;
export type ParsedVars<T extends VarTable> = { [K in keyof T]: z.output<T[K]['schema']> };

// Reusable value types, each with a message a person understands.
export const port = (def: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535').default(def);
export const optionalPort = () => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1–65535').max(65535, 'must be 1–65535').optional();
export const positiveInt = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(max, `must be at most ${max}`).default(def);
export const nonNegativeInt = (def: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(max, `must be at most ${max}`).default(def);
export const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
    .transform((s) => s === 'true' || s === '1' || s === 'yes' || s === 'on')
    // zod 4: a default is the output value and skips parsing
    .default(def);
export const url = (protocols: string[]) =>
  z.string().refine((s) => {
    try {
      return protocols.includes(new URL(s).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL (${protocols.join(', ')})`);
export const host = (def: string) => z.string().min(1, 'must not be empty').default(def);
/** "HH:MM-HH:MM", may wrap midnight */
export const timeRange = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'must look like 22:00-08:00');
