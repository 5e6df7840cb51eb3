import type { RecordColumn } from '@/components/record-column';
import type { ListName } from '@/stores/registry-options';

export type Row = Record<string, unknown>;
export interface Option {
  value: string | number | boolean;
  label: string;
}
/** where a select's options come from: fixed (labels are i18n keys) or a registry list */
export type OptionSource = { fixed: { value: string; label: string }[] } | { list: 'districts' | 'units' | 'companies' | 'kitchens' };

export interface Field {
  /** a dotted path for nested values (rated.ratedSpeed) */
  prop: string;
  /** i18n key */
  label: string;
  type: 'text' | 'number' | 'select' | 'tree' | 'switch' | 'phone' | 'date' | 'textarea' | 'password';
  required?: boolean;
  /** only when creating (ids, initial password); shown read-only when editing */
  createOnly?: boolean;
  options?: OptionSource;
  /** shown only when this returns true for the form's values (e.g. elevator rated values) */
  when?: (v: Row) => boolean;
  /** an empty value is sent as null (the API's nullable fields); otherwise as '' */
  nullable?: boolean;
  /** a fixed-length code, e.g. 18 for a unified social credit code */
  length?: number;
  placeholder?: string;
  min?: number;
  max?: number;
  step?: number;
}

export interface Resource {
  /** API path under /api/v1 and the route's name part */
  path: string;
  /** i18n key of the page title */
  title: string;
  /** i18n key of one record's kind in dialogs ("新增设备") */
  what: string;
  columns: RecordColumn<Row>[];
  fields: Field[];
  /** a record can be disabled and enabled again (an `enabled` field) */
  toggle?: boolean;
  /** POST /api/v1/import/<path> takes an .xlsx of these */
  importable?: boolean;
  /** POST /<path>/:id/credential answers a new secret once (devices; push cameras) */
  rotate?: (r: Row) => boolean;
  /** users: an admin sets a new password (POST /users/:id/password) */
  setPassword?: boolean;
  /** the list takes `q` (cameras do not) */
  search?: boolean;
  /** lists the columns name things from (ids shown by name) */
  needs?: ListName[];
  /** the full record to edit when the list row holds less (devices: the list is the board) */
  loadRecord?: (r: Row) => Promise<Row>;
  /** values of a new record */
  defaults?: Row;
}

export function getPath(o: Row, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Row)[k] : undefined), o);
}

export function setPath(o: Row, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = o;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== 'object') cur[k] = {};
    cur = cur[k] as Row;
  }
  cur[keys[keys.length - 1] as string] = value;
}

/** Phone numbers are stored in E.164; a Chinese mobile number typed without +86 is accepted and converted. */
export function toE164(s: string): string {
  const v = s.replace(/[\s-]/g, '');
  if (/^1[3-9]\d{9}$/.test(v)) return `+86${v}`;
  return v;
}
export const isE164 = (s: string) => /^\+[1-9]\d{6,14}$/.test(s);
