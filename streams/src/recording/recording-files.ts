import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Recordings on disk: dataDir/recordings/<camera>/<start epoch seconds>.ts, one MPEG-TS segment each.
 * The name carries the start time, so listing a time range and retention need no index and no database;
 * the end is the next segment's start when they follow each other, else the file's last write.
 */
export interface Segment {
  file: string;
  start: number; // ms
  end: number; // ms
}

const NAME = /^(\d{9,11})\.ts$/;

export async function listSegments(dir: string): Promise<Segment[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const starts = names
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[0], start: Number(m[1]) * 1000 }))
    .sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  for (let i = 0; i < starts.length; i++) {
    const cur = starts[i] as { file: string; start: number };
    const mtime = (await stat(join(dir, cur.file)).catch(() => null))?.mtimeMs;
    if (mtime === undefined) continue;
    const next = starts[i + 1];
    // the next segment follows directly when it starts before this file was last written (+1 s slack)
    const end = next && next.start <= mtime + 1000 ? next.start : Math.max(mtime, cur.start + 1);
    out.push({ file: cur.file, start: cur.start, end });
  }
  return out;
}

export function segmentsInRange(segments: Segment[], fromMs: number, toMs: number): Segment[] {
  return segments.filter((s) => s.end > fromMs && s.start < toMs);
}

/** A VOD playlist of the chosen segments; a gap between two segments is marked as a discontinuity. */
export function rangePlaylist(segments: Segment[], uri: (s: Segment) => string): string {
  const durations = segments.map((s) => Math.max(0.1, (s.end - s.start) / 1000));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-PLAYLIST-TYPE:VOD', `#EXT-X-TARGETDURATION:${Math.ceil(Math.max(1, ...durations))}`, '#EXT-X-MEDIA-SEQUENCE:0'];
  segments.forEach((s, i) => {
    const prev = segments[i - 1];
    if (prev && s.start - prev.end > 1500) lines.push('#EXT-X-DISCONTINUITY');
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.start).toISOString()}`, `#EXTINF:${(durations[i] as number).toFixed(3)},`, uri(s));
  });
  lines.push('#EXT-X-ENDLIST', '');
  return lines.join('\n');
}
