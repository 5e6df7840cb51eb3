import { UserError } from '@tianwang/core/errors';

/** A row-level problem of an import: the spreadsheet row (1 = header) and the column as the file names it. */
export interface RowError {
  row: number;
  column: string;
  message: string;
}

/** An import refused as a whole: every row-level problem found, nothing written. */
export class ImportRejected extends UserError {
  constructor(readonly errors: RowError[]) {
    super('TW_PAYLOAD_INVALID', `${new Set(errors.map((e) => e.row)).size} row(s) have errors; nothing was imported`, 400);
  }
}

/** One importable column: the field, its Chinese header (as the template writes it), and how to read the cell. */
export interface ImportColumn {
  field: string;
  header: string;
  type?: 'string' | 'number' | 'date' | 'boolean';
}

type CellValue = unknown;

/** A cell as plain text (rich text, hyperlinks and formula results included); empty → undefined. */
function text(v: CellValue): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown };
    if (o.richText) return o.richText.map((t) => t.text).join('').trim() || undefined;
    if (o.text !== undefined) return text(o.text);
    if (o.result !== undefined) return text(o.result);
    return undefined;
  }
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function convert(v: CellValue, type: ImportColumn['type']): unknown {
  if (type === 'number') {
    if (typeof v === 'number') return v;
    const s = text(v);
    return s === undefined ? undefined : Number.isFinite(Number(s)) ? Number(s) : s;
  }
  if (type === 'date') {
    if (v instanceof Date) return v.toISOString().slice(0, 10);
    return text(v);
  }
  if (type === 'boolean') {
    const s = text(v)?.toLowerCase();
    return s === undefined ? undefined : ['是', 'true', '1', 'yes', 'y'].includes(s) ? true : ['否', 'false', '0', 'no', 'n'].includes(s) ? false : s;
  }
  return text(v);
}

/**
 * Reads the first sheet of an .xlsx upload: row 1 names the columns (the template's Chinese header or the field
 * name), every later non-empty row becomes an object of the known columns. Unknown columns are an error (a
 * misspelt header would otherwise drop its data silently).
 */
export async function readSheet(body: Buffer, columns: ImportColumn[]): Promise<{ rows: { row: number; values: Record<string, unknown> }[]; headers: Map<string, string> }> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(body as unknown as ArrayBuffer);
  } catch {
    throw new UserError('TW_PAYLOAD_INVALID', 'the body is not an .xlsx workbook');
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new UserError('TW_PAYLOAD_INVALID', 'the workbook has no sheet');
  const byName = new Map<string, ImportColumn>();
  for (const c of columns) {
    byName.set(c.header, c);
    byName.set(c.field, c);
  }
  const at = new Map<number, ImportColumn>();
  const headers = new Map<string, string>();
  const unknown: RowError[] = [];
  ws.getRow(1).eachCell((cell, col) => {
    const name = text(cell.value);
    if (!name) return;
    const c = byName.get(name);
    if (!c) return void unknown.push({ row: 1, column: name, message: 'unknown column' });
    at.set(col, c);
    headers.set(c.field, name);
  });
  if (unknown.length) throw new ImportRejected(unknown);
  if (!at.size) throw new UserError('TW_PAYLOAD_INVALID', 'row 1 must name the columns');
  const rows: { row: number; values: Record<string, unknown> }[] = [];
  ws.eachRow((r, n) => {
    if (n === 1) return;
    const values: Record<string, unknown> = {};
    for (const [col, c] of at) {
      const v = convert(r.getCell(col).value, c.type);
      if (v !== undefined) values[c.field] = v;
    }
    if (Object.keys(values).length) rows.push({ row: n, values });
  });
  return { rows, headers };
}
