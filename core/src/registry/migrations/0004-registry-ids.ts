/**
 * Registry ids are keys, not free text (core/src/registry/ids.ts): no empty id, no control character, line or
 * paragraph separator, or backslash. Devices and cameras already match ^[A-Za-z0-9_-]{3,40}$. NOT VALID: rows
 * written before this migration are not checked (a start must not fail on old data); new and updated rows are.
 * Regular expressions are PostgreSQL's (ARE): \x.. and \u.... are character escapes, \\ is a backslash.
 */
const TABLES = ['districts', 'units', 'maintenance_companies', 'kitchens', 'users'];

export const sql = TABLES.map(
  (t) => `ALTER TABLE ${t} ADD CONSTRAINT ${t}_id_is_key CHECK (id <> '' AND id !~ '[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029\\\\]') NOT VALID;`,
).join('\n');
