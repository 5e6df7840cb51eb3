import type { FastifyReply } from 'fastify';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** One column of an export: the Chinese header people read, and how to get the cell from a row. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | Date | null | undefined;
  width?: number;
}

type Cell = string | number | boolean | Date | null;

function cell(v: ReturnType<Column<unknown>['value']>): Cell {
  if (v === undefined || v === null) return null;
  // a text cell starting with = + - @ would be a formula to a spreadsheet (CSV/formula injection): keep it text
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(v)) return `'${v}`;
  return v;
}

/**
 * Writes rows as an .xlsx workbook with one sheet: a bold, frozen header row, then one row per record.
 * exceljs is loaded on the first export only (it is large, and most processes never export).
 */
export async function toXlsx<T>(sheet: string, columns: Column<T>[], rows: T[]): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  wb.creator = 'tianwang';
  const ws = wb.addWorksheet(sheet.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 4) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(columns.map((c) => cell(c.value(r))));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Answers an export: the file, named after the list and the day, with its UTF-8 name for Chinese browsers. */
export async function sendXlsx<T>(reply: FastifyReply, name: { file: string; sheet: string }, columns: Column<T>[], rows: T[]): Promise<FastifyReply> {
  const body = await toXlsx(name.sheet, columns, rows);
  const day = new Date().toISOString().slice(0, 10);
  const ascii = `${name.file}-${day}.xlsx`;
  return reply
    .type(XLSX_TYPE)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(`${name.sheet}-${day}.xlsx`)}`)
    .send(body);
}

/** epoch ms or a Date as a spreadsheet date cell (empty when unknown) */
export const xlsxTime = (t: number | Date | null | undefined): Date | null => (t === null || t === undefined ? null : new Date(t));
