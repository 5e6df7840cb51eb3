import { readFile } from 'node:fs/promises';
import { UserError } from '@tianwang/core/errors';
import { DEVICE_KINDS, type DeviceKind } from '@tianwang/core/schemas';
import { DEVICE_ID_PATTERN } from '@tianwang/core/topics';
import type { DeviceSpec } from '../terminal/device-spec.js';

const NUMERIC = ['floors', 'lowestFloor', 'ratedSpeed', 'ratedPressure'] as const;

/**
 * Devices from a file an operator wrote or exported: JSON (an array of {id, kind, secret, …}) or CSV with a
 * header line (id,kind,secret[,floors,ratedSpeed,ratedPressure,label]). Errors name the file and the row.
 */
export async function loadDeviceFile(path: string): Promise<DeviceSpec[]> {
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UserError('TW_NOT_FOUND', `cannot read device file ${path}: ${err.code ?? err.message}`);
  });
  return parseDeviceFile(text, path);
}

export function parseDeviceFile(text: string, name: string): DeviceSpec[] {
  const rows = text.trimStart().startsWith('[') ? jsonRows(text, name) : csvRows(text, name);
  const seen = new Set<string>();
  return rows.map(({ row, where }) => {
    const fail = (msg: string): never => {
      throw new UserError('TW_PAYLOAD_INVALID', `${name} ${where}: ${msg}`);
    };
    const id = String(row.id ?? '');
    if (!DEVICE_ID_PATTERN.test(id)) fail(`id "${id}" must match ${DEVICE_ID_PATTERN}`);
    if (seen.has(id)) fail(`device ${id} is listed twice`);
    seen.add(id);
    const kind = String(row.kind ?? '');
    if (!(DEVICE_KINDS as readonly string[]).includes(kind)) fail(`kind "${kind}" must be one of ${DEVICE_KINDS.join(', ')}`);
    const secret = String(row.secret ?? '');
    if (!secret) fail('secret is missing');
    const spec: DeviceSpec = { id, kind: kind as DeviceKind, secret };
    for (const key of NUMERIC) {
      const v = row[key];
      if (v === undefined || v === '') continue;
      const n = Number(v);
      if (!Number.isFinite(n)) fail(`${key} "${String(v)}" is not a number`);
      spec[key] = n;
    }
    if (row.label) spec.label = String(row.label);
    return spec;
  });
}

type Row = { row: Record<string, unknown>; where: string };

function jsonRows(text: string, name: string): Row[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserError('TW_PAYLOAD_INVALID', `${name}: not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(data)) throw new UserError('TW_PAYLOAD_INVALID', `${name}: expected an array of devices`);
  return data.map((row, i) => ({ row: (row ?? {}) as Record<string, unknown>, where: `[${i}]` }));
}

function csvRows(text: string, name: string): Row[] {
  const lines = text.split(/\r?\n/).map((l, i) => ({ l: l.trim(), n: i + 1 })).filter(({ l }) => l && !l.startsWith('#'));
  const header = lines.shift();
  if (!header) throw new UserError('TW_PAYLOAD_INVALID', `${name}: empty device file`);
  const cols = header.l.split(',').map((c) => c.trim());
  if (!cols.includes('id') || !cols.includes('kind') || !cols.includes('secret')) {
    throw new UserError('TW_PAYLOAD_INVALID', `${name} line ${header.n}: the header must name id,kind,secret (got "${header.l}")`);
  }
  return lines.map(({ l, n }) => {
    const cells = l.split(',').map((c) => c.trim());
    return { row: Object.fromEntries(cols.map((c, i) => [c, cells[i]])), where: `line ${n}` };
  });
}
