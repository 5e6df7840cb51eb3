import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What the HLS packagers wrote, held in memory for the requests that follow: one kitchen's 500 consumers each ask for
 * the same playlist every second and for the same segments once each (bench:streams-hls), and reading, rewriting and
 * streaming the same files from disk for each of them is most of the relay's work.
 * - The playlist is read again only when its file changed (inode, mtime or size: ffmpeg writes a new playlist and
 *   renames it over the old one once a segment is complete), and a signed copy is kept for the last query it was
 *   signed with (a public camera's shared segment token: the same for everyone for 10 s, shared-segments.ts).
 * - A segment's bytes are kept while the latest playlist read lists it, and only then: a listed segment is complete
 *   and never rewritten (names count from the epoch second ffmpeg started at), whereas a name a client guesses may be
 *   the one ffmpeg is still writing, which is served from disk as before and never kept. A segment that leaves the
 *   playlist leaves the memory with it: per camera at most the playlist's six, and `maxBytes` in all.
 */
interface Playlist {
  version: string;
  text: string;
  listed: Set<string>;
  signed?: { query: string; body: string };
}

const MAX_BYTES = 64 * 1024 * 1024;

export class HlsFiles {
  private readonly playlists = new Map<string, Playlist>();
  /** `<dir>/<file>` → bytes of a listed segment */
  private readonly segments = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** The folder's playlist with every URI line signed with `query` (`sign` rewrites it); null when there is none. */
  async playlist(dir: string, query: string, sign: (text: string, query: string) => string): Promise<string | null> {
    const file = join(dir, 'index.m3u8');
    const st = await stat(file).catch(() => null);
    if (!st) return null;
    const version = `${st.ino}:${st.mtimeMs}:${st.size}`;
    let p = this.playlists.get(dir);
    if (p?.version !== version) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) return null;
      p = { version, text, listed: new Set(text.split('\n').filter((l) => l && !l.startsWith('#'))) };
      this.playlists.set(dir, p);
      this.dropUnlisted(dir, p.listed);
    }
    if (p.signed?.query !== query) p.signed = { query, body: sign(p.text, query) };
    return p.signed.body;
  }

  /** A listed segment's bytes (read once, then from memory); null when it is not listed, or too much is held already. */
  async segment(dir: string, file: string): Promise<Buffer | null> {
    const key = join(dir, file);
    const held = this.segments.get(key);
    if (held) return held;
    if (!this.playlists.get(dir)?.listed.has(file)) return null;
    const bytes = await readFile(key).catch(() => null);
    // the playlist may have moved on while the file was read: keep it only if it is still listed
    if (!bytes || !this.playlists.get(dir)?.listed.has(file) || this.bytes + bytes.length > this.maxBytes) return bytes;
    this.segments.set(key, bytes);
    this.bytes += bytes.length;
    return bytes;
  }

  /** The packager of this folder stopped: nothing of it is kept. */
  forget(dir: string): void {
    this.playlists.delete(dir);
    this.dropUnlisted(dir, new Set());
  }

  /** bytes of segments held (tests, metrics) */
  get heldBytes(): number {
    return this.bytes;
  }

  private dropUnlisted(dir: string, listed: Set<string>): void {
    const prefix = join(dir, '/');
    for (const [key, b] of this.segments) {
      if (!key.startsWith(prefix) || listed.has(key.slice(prefix.length))) continue;
      this.segments.delete(key);
      this.bytes -= b.length;
    }
  }
}
