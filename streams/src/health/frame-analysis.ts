/**
 * Black and frozen picture detection on a few tiny grey frames (32×18, one byte per pixel) decoded from a
 * camera's keyframes only, which costs a fraction of decoding the whole stream. A covered lens reads as
 * black (dark and flat); a hung encoder or a photo taped over the lens reads as frozen (keyframes seconds
 * apart that are the same picture). Thresholds leave room for compression noise and dim kitchens at night.
 */
export const PROBE_WIDTH = 32;
export const PROBE_HEIGHT = 18;
export const PROBE_FRAME_BYTES = PROBE_WIDTH * PROBE_HEIGHT;

export type PictureVerdict = { state: 'ok' | 'blank' | 'frozen'; reason: string; meanLuma: number; motion: number };

export function splitFrames(raw: Buffer, frameBytes = PROBE_FRAME_BYTES): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let off = 0; off + frameBytes <= raw.length; off += frameBytes) frames.push(raw.subarray(off, off + frameBytes));
  return frames;
}

function mean(f: Uint8Array): number {
  let s = 0;
  for (const v of f) s += v;
  return s / f.length;
}

function stddev(f: Uint8Array, m: number): number {
  let s = 0;
  for (const v of f) s += (v - m) * (v - m);
  return Math.sqrt(s / f.length);
}

/** mean absolute difference per pixel */
function diff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs((a[i] as number) - (b[i] as number));
  return s / a.length;
}

export function judgePicture(frames: Uint8Array[], opts: { blackLuma?: number; flatStd?: number; frozenDiff?: number } = {}): PictureVerdict {
  const blackLuma = opts.blackLuma ?? 28; // limited-range black is 16
  const flatStd = opts.flatStd ?? 6;
  const frozenDiff = opts.frozenDiff ?? 0.8;
  if (frames.length === 0) return { state: 'ok', reason: 'no frames to judge', meanLuma: NaN, motion: NaN };
  const means = frames.map(mean);
  const meanLuma = means.reduce((a, b) => a + b, 0) / means.length;
  let motion = Infinity;
  if (frames.length >= 2) {
    motion = 0;
    for (let i = 1; i < frames.length; i++) motion = Math.max(motion, diff(frames[i - 1] as Uint8Array, frames[i] as Uint8Array));
  }
  const flat = frames.every((f, i) => stddev(f, means[i] as number) < flatStd);
  if (meanLuma < blackLuma && flat) return { state: 'blank', reason: `black picture (mean luma ${meanLuma.toFixed(1)})`, meanLuma, motion };
  if (frames.length >= 3 && motion < frozenDiff) return { state: 'frozen', reason: `picture unchanged across ${frames.length} keyframes`, meanLuma, motion };
  return { state: 'ok', reason: 'picture ok', meanLuma, motion };
}
