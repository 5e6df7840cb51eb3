/**
 * The shadow script's one packed argument (shadow-script.ts): strings as a 4-byte big-endian byte length and their
 * UTF-8 bytes, and runs of little-endian doubles (the decided messages' values) as they are.
 */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Builds the packed argument; reusable: take() hands out the bytes and starts over. */
export class Packer {
  private buf = Buffer.allocUnsafe(16 * 1024);
  private o = 0;

  private room(n: number): void {
    if (this.o + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.o + n));
    this.buf.copy(next, 0, 0, this.o);
    this.buf = next;
  }

  str(s: string): void {
    // at most 3 bytes per UTF-16 unit
    this.room(4 + s.length * 3);
    const len = this.buf.write(s, this.o + 4);
    this.buf.writeUInt32BE(len, this.o);
    this.o += 4 + len;
  }

  doubles(values: Float64Array, from: number, to: number): void {
    const n = (to - from) * 8;
    this.room(n);
    if (LITTLE_ENDIAN) this.buf.set(new Uint8Array(values.buffer, values.byteOffset + from * 8, n), this.o);
    else for (let i = from; i < to; i++) this.buf.writeDoubleLE(values[i]!, this.o + (i - from) * 8);
    this.o += n;
  }

  get length(): number {
    return this.o;
  }

  /** The packed bytes (a copy: the packer may be reused). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.o));
    this.o = 0;
    return out;
  }
}

/** Strings packed as the script reads them (tests and tools). */
export function packStrings(parts: readonly string[]): Buffer {
  const p = new Packer();
  for (const s of parts) p.str(s);
  return p.take();
}
