import { createHash } from 'node:crypto';

/** One file of an evidence bundle; `recordedSha256`: the hash the registry holds for it (photos, snapshots). */
export interface BundleFile {
  path: string;
  bytes: Buffer;
  recordedSha256?: string | undefined;
}

/** A piece of evidence the registry names but whose bytes this process cannot read (a relay on another host). */
export interface MissingFile {
  path: string;
  recordedSha256: string;
  reason: string;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** RFC 4180 CSV (UTF-8 with a BOM, so that Excel opens Chinese text as such). */
export function csv(header: string[], rows: unknown[][]): Buffer {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return Buffer.from(`\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`, 'utf8');
}

/**
 * The bundle as a ZIP: the files, `manifest.json` (every file with its size and SHA-256, the hazard, who exported it
 * and when, what could not be included) and `SHA256SUMS` (the same sums in `sha256sum -c` format). A file whose
 * bytes no longer match the hash the registry recorded is still included, and the manifest says so.
 */
export async function zipBundle(files: BundleFile[], missing: MissingFile[], meta: Record<string, unknown>): Promise<Buffer> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  const entries = files.map((f) => {
    const sum = sha256(f.bytes);
    zip.file(f.path, f.bytes, { binary: true, date: new Date(String(meta.generatedAt)) });
    return { path: f.path, bytes: f.bytes.length, sha256: sum, ...(f.recordedSha256 ? { recordedSha256: f.recordedSha256, matchesRecord: f.recordedSha256 === sum } : {}) };
  });
  zip.file('manifest.json', JSON.stringify({ ...meta, algorithm: 'SHA-256', files: entries, missing }, null, 2));
  zip.file('SHA256SUMS', entries.map((e) => `${e.sha256}  ${e.path}\n`).join(''));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
