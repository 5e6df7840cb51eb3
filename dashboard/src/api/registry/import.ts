import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { generateSecret, hashSecret } from '@tianwang/core/crypto';
import { isValidCreditCode } from '@tianwang/core/demo';
import type { Queryable } from '@tianwang/core/registry';
import { auditByUser, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { XLSX_TYPE, sendXlsx } from '../xlsx.js';
import { changes, insertRow, publicRow, updateRow } from './crud.js';
import { NewDevice } from './devices.js';
import { ImportRejected, readSheet, type ImportColumn, type RowError } from './import-sheet.js';
import { NewUnit } from './units.js';

const UNIT_COLUMNS: ImportColumn[] = [
  { field: 'id', header: '编号' }, { field: 'creditCode', header: '统一社会信用代码' }, { field: 'name', header: '名称' }, { field: 'address', header: '地址' },
  { field: 'districtId', header: '辖区编号' }, { field: 'safetyOfficerName', header: '安全管理员' }, { field: 'safetyOfficerPhone', header: '安全管理员手机' },
  { field: 'principalName', header: '主要负责人' }, { field: 'principalPhone', header: '负责人手机' },
];
const RATED = ['ratedSpeed', 'ratedLoad', 'floors', 'ratedPressure', 'ratedCapacity', 'safetyValveSet'];
const DEVICE_COLUMNS: ImportColumn[] = [
  { field: 'id', header: '编号' }, { field: 'kind', header: '类型' }, { field: 'registrationCode', header: '注册代码' }, { field: 'name', header: '名称' },
  { field: 'location', header: '位置' }, { field: 'unitId', header: '使用单位编号' }, { field: 'maintenanceCompanyId', header: '维保单位编号' }, { field: 'model', header: '型号' },
  { field: 'ratedSpeed', header: '额定速度', type: 'number' }, { field: 'ratedLoad', header: '额定载重', type: 'number' }, { field: 'floors', header: '层站数', type: 'number' },
  { field: 'ratedPressure', header: '额定压力', type: 'number' }, { field: 'ratedCapacity', header: '额定蒸发量', type: 'number' }, { field: 'safetyValveSet', header: '安全阀整定压力', type: 'number' },
  { field: 'telemetryIntervalS', header: '上报间隔秒', type: 'number' }, { field: 'lastMaintenanceOn', header: '最近维保日期', type: 'date' }, { field: 'inspectionValidUntil', header: '检验有效期至', type: 'date' },
];
const KINDS: Record<string, string> = { 电梯: 'elevator', 锅炉: 'boiler' };

interface ImportSpec {
  table: 'units' | 'devices';
  columns: ImportColumn[];
  schema: z.ZodType;
  /** spreadsheet values → the shape the schema checks */
  shape(v: Record<string, unknown>): Record<string, unknown>;
  /** fields that must be unique within the file */
  unique: string[];
  /** references that must exist: field → table */
  refs: Record<string, string>;
  /** a rule beyond the schema; answers a message for the field */
  check(v: Record<string, unknown>): { field: string; message: string } | undefined;
}

const SPECS: Record<'units' | 'devices', ImportSpec> = {
  units: {
    table: 'units', columns: UNIT_COLUMNS, schema: NewUnit, unique: ['id', 'creditCode'], refs: { districtId: 'districts' },
    shape: (v) => ({ address: '', ...v }),
    check: (v) => (typeof v.creditCode === 'string' && !isValidCreditCode(v.creditCode) ? { field: 'creditCode', message: 'the check character is wrong (GB 32100)' } : undefined),
  },
  devices: {
    table: 'devices', columns: DEVICE_COLUMNS, schema: NewDevice, unique: ['id', 'registrationCode'], refs: { unitId: 'units', maintenanceCompanyId: 'maintenance_companies' },
    shape: (v) => {
      const out: Record<string, unknown> = { location: '', model: '', telemetryIntervalS: 10, maintenanceCompanyId: null, lastMaintenanceOn: null, inspectionValidUntil: null };
      const rated: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (RATED.includes(k)) rated[k] = x;
        else out[k] = k === 'kind' && typeof x === 'string' ? (KINDS[x] ?? x) : x;
      }
      return { ...out, rated };
    },
    check: (v) => (v.kind === 'elevator' && typeof v.registrationCode === 'string' && !/^\d{20}$/.test(v.registrationCode) ? { field: 'registrationCode', message: 'an elevator registration code has 20 digits' } : undefined),
  },
};

const SQL_MESSAGES: Record<string, string> = { '23505': 'already used by another record', '23503': 'refers to a record that does not exist', '23514': 'breaks a rule of the registry' };

/** Validates every row, then writes all of them in one transaction, or none: the answer lists every row-level error. */
async function importRows(ctx: ApiContext, req: Parameters<typeof auditByUser>[1], spec: ImportSpec, body: Buffer) {
  const { rows, headers } = await readSheet(body, spec.columns);
  const col = (field: string) => headers.get(field) ?? field;
  const errors: RowError[] = [];
  const valid: { row: number; value: Record<string, unknown> }[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const parsed = spec.schema.safeParse(spec.shape(r.values));
    if (!parsed.success) {
      for (const i of parsed.error.issues) errors.push({ row: r.row, column: col(String(i.path[0] ?? '')), message: i.message });
      continue;
    }
    const value = parsed.data as Record<string, unknown>;
    const bad = spec.check(value);
    if (bad) errors.push({ row: r.row, column: col(bad.field), message: bad.message });
    for (const f of spec.unique) {
      const key = `${f}|${String(value[f])}`;
      const first = seen.get(key);
      if (first !== undefined) errors.push({ row: r.row, column: col(f), message: `the same as row ${first}` });
      else seen.set(key, r.row);
    }
    valid.push({ row: r.row, value });
  }
  for (const [field, table] of Object.entries(spec.refs)) {
    const wanted = [...new Set(valid.map((v) => v.value[field]).filter((x): x is string => typeof x === 'string'))];
    if (!wanted.length) continue;
    const found = new Set((await ctx.registry.db.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [wanted])).map((x) => x.id));
    for (const v of valid) if (typeof v.value[field] === 'string' && !found.has(v.value[field])) errors.push({ row: v.row, column: col(field), message: `no ${table.replace(/_/g, ' ').replace(/s$/, '')} ${String(v.value[field])}` });
  }
  if (!rows.length) errors.push({ row: 2, column: '', message: 'the sheet has no rows to import' });
  if (errors.length) throw new ImportRejected(errors.sort((a, b) => a.row - b.row));

  const credentials: { id: string; secret: string }[] = [];
  let created = 0;
  await ctx.registry.db.transaction(async (tx: Queryable) => {
    const dbErrors: RowError[] = [];
    for (const { row, value } of valid) {
      await tx.query('SAVEPOINT import_row');
      try {
        const id = value.id as string;
        const [exists] = await tx.query('SELECT 1 FROM ' + spec.table + ' WHERE id = $1', [id]);
        if (exists) {
          const r = await updateRow(tx, spec.table, id, value, spec.table);
          await auditByUser(tx, req, `${spec.table.slice(0, -1)}.imported`, spec.table.slice(0, -1), id, changes(r.before, r.after));
        } else {
          const extra: Record<string, unknown> = {};
          if (spec.table === 'devices') {
            const secret = generateSecret();
            credentials.push({ id, secret });
            Object.assign(extra, { credentialHash: hashSecret(secret), credentialRotatedAt: new Date() });
          }
          const after = await insertRow(tx, spec.table, { ...value, ...extra });
          await auditByUser(tx, req, `${spec.table.slice(0, -1)}.imported`, spec.table.slice(0, -1), id, { after: publicRow(after) });
          created++;
        }
        await tx.query('RELEASE SAVEPOINT import_row');
      } catch (err) {
        await tx.query('ROLLBACK TO SAVEPOINT import_row');
        const code = (err as { code?: string }).code ?? '';
        const constraint = (err as { constraint?: string }).constraint;
        dbErrors.push({ row, column: '', message: `${SQL_MESSAGES[code] ?? 'could not be written'}${constraint ? ` (${constraint})` : ''}` });
      }
    }
    // one bad row undoes them all
    if (dbErrors.length) throw new ImportRejected(dbErrors);
  });
  ctx.live.refreshSoon();
  return { imported: valid.length, created, updated: valid.length - created, credentials };
}

const Result = z.object({
  imported: z.number().int(), created: z.number().int(), updated: z.number().int(),
  credentials: z.array(z.object({ id: z.string(), secret: z.string() })).meta({ description: 'devices: the secret of each device created, shown this once' }),
});
const KindParams = z.object({ kind: z.enum(['units', 'devices']) });

/** Bulk registration from .xlsx (admin): all rows or none, with row-level errors; and the template to fill in. */
export function importRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.addContentTypeParser([XLSX_TYPE, 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  route(app, {
    method: 'POST', url: '/import/:kind', summary: 'Import units or devices from an .xlsx file (all rows or none)', tags: ['import'], roles: ['admin'], params: KindParams,
    consumes: [XLSX_TYPE], response: Result, description: 'Body: the .xlsx file itself. Errors: 400 TW_PAYLOAD_INVALID with `errors: [{row, column, message}]`; nothing is written then.',
  }, async (req) => {
    const body = req.body as unknown;
    if (!Buffer.isBuffer(body)) throw new ImportRejected([{ row: 0, column: '', message: `send the .xlsx file as the body (content-type ${XLSX_TYPE})` }]);
    return importRows(ctx, req, SPECS[req.params.kind], body);
  });

  route(app, { method: 'GET', url: '/import/:kind/template', summary: 'An empty .xlsx with the columns an import reads', tags: ['import'], roles: ['admin'], params: KindParams, produces: [XLSX_TYPE], response: z.string() }, async (req, reply) => {
    const spec = SPECS[req.params.kind];
    return sendXlsx(reply, { file: `import-${req.params.kind}`, sheet: req.params.kind === 'units' ? '使用单位导入模板' : '设备导入模板' }, spec.columns.map((c) => ({ header: c.header, value: () => null })), []);
  });
}
