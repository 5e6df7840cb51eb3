/**
 * Registry ids (districts, units, maintenance companies, kitchens, users, and devices and cameras, which match
 * a stricter pattern too) are keys, not free text: they become InfluxDB tags (a unit's and a district's on
 * every point of their devices), Redis keys, log fields and URL parts. An id is refused (UserError
 * TW_ID_INVALID, HTTP 400) when it is empty, or holds
 *   - a control character (U+0000–U+001F, U+007F–U+009F): a newline ends an InfluxDB line, so such an id could
 *     never be a tag, and the others are invisible in every view;
 *   - a line or paragraph separator (U+2028, U+2029), or half of a surrogate pair (not text);
 *   - a backslash: line protocol servers disagree on how to read one before a separator or at the end of a
 *     value (ingest/src/line-protocol.ts), so such an id cannot be written as a tag that reads back the same.
 * Migration 0004 adds the same rule as CHECK constraints (NOT VALID: rows written before it are not checked,
 * but one of them that breaks the rule cannot be updated either; give it a new id).
 */
import { UserError } from '../errors/index.js';

const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029\\]/u;

/** Why `id` cannot be a registry id, or undefined when it can. */
export function registryIdProblem(id: string): string | undefined {
  if (typeof id !== 'string' || id.length === 0) return 'is empty';
  const m = FORBIDDEN.exec(id);
  if (!m) return undefined;
  const c = m[0].codePointAt(0)!;
  return c === 0x5c ? 'holds a backslash' : `holds the character U+${c.toString(16).toUpperCase().padStart(4, '0')} (control characters and line breaks are not allowed)`;
}

/** Throws UserError TW_ID_INVALID when `id` cannot be a registry id; `what` names it ("unit id"). */
export function assertRegistryId(what: string, id: string): void {
  const problem = registryIdProblem(id);
  if (problem) throw new UserError('TW_ID_INVALID', `${what} ${JSON.stringify(id)} ${problem}`);
}
