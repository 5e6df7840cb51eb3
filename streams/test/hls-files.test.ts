import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HlsFiles } from '../src/ffmpeg/hls-files.js';
import { signPlaylist } from '../src/ffmpeg/hls-packager.js';

// The packagers' files in memory (hls-files.ts), on real files written the way ffmpeg's HLS muxer writes them: a
// segment file grows while it is written, then a new playlist listing it is renamed over the old one.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tw-hls-files-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A new playlist listing these segments, renamed into place as ffmpeg does. */
async function list(...segments: string[]): Promise<void> {
  const text = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', ...segments.flatMap((s) => ['#EXTINF:1.0,', s]), ''].join('\n');
  await writeFile(join(dir, 'index.m3u8.tmp'), text);
  await rename(join(dir, 'index.m3u8.tmp'), join(dir, 'index.m3u8'));
}
const seg = (name: string, fill: number, size = 1000) => writeFile(join(dir, name), Buffer.alloc(size, fill));

describe('HLS files in memory', () => {
  it('a playlist is signed once per version and query, and read again when the packager rewrote it', async () => {
    const files = new HlsFiles();
    expect(await files.playlist(dir, 'sig=a', signPlaylist)).toBeNull(); // no playlist yet: the caller answers 503
    await list('seg-1.ts');
    const one = await files.playlist(dir, 'sig=a', signPlaylist);
    expect(one).toContain('seg-1.ts?sig=a');
    expect(await files.playlist(dir, 'sig=a', signPlaylist)).toBe(one);
    expect(await files.playlist(dir, 'sig=b', signPlaylist)).toContain('seg-1.ts?sig=b'); // another viewer's own grant
    await list('seg-1.ts', 'seg-2.ts');
    expect(await files.playlist(dir, 'sig=a', signPlaylist)).toContain('seg-2.ts?sig=a');
  });

  it('a segment the playlist lists is kept, served from memory, and let go when the playlist drops it', async () => {
    const files = new HlsFiles();
    await seg('seg-1.ts', 1);
    await list('seg-1.ts');
    await files.playlist(dir, 'q', signPlaylist);
    expect(await files.segment(dir, 'seg-1.ts')).toEqual(Buffer.alloc(1000, 1));
    expect(files.heldBytes).toBe(1000);
    // from memory now: the file itself is no longer read
    await rm(join(dir, 'seg-1.ts'));
    expect(await files.segment(dir, 'seg-1.ts')).toEqual(Buffer.alloc(1000, 1));
    await seg('seg-2.ts', 2);
    await list('seg-2.ts');
    await files.playlist(dir, 'q', signPlaylist);
    expect(files.heldBytes).toBe(0);
    expect(await files.segment(dir, 'seg-1.ts')).toBeNull(); // no longer listed: the caller looks on disk (404 now)
  });

  it('a segment still being written (not listed yet) is never kept: once complete and listed, all of it is served', async () => {
    const files = new HlsFiles();
    await list();
    await files.playlist(dir, 'q', signPlaylist);
    await seg('seg-7.ts', 7, 300); // a client guessing the next name gets what is there from disk, nothing is held
    expect(await files.segment(dir, 'seg-7.ts')).toBeNull();
    expect(files.heldBytes).toBe(0);
    await seg('seg-7.ts', 7, 1000);
    await list('seg-7.ts');
    await files.playlist(dir, 'q', signPlaylist);
    expect((await files.segment(dir, 'seg-7.ts'))?.length).toBe(1000);
  });

  it('holds at most maxBytes (beyond, a segment is served but not kept); a stopped packager leaves nothing', async () => {
    const files = new HlsFiles(1500);
    await seg('seg-1.ts', 1);
    await seg('seg-2.ts', 2);
    await list('seg-1.ts', 'seg-2.ts');
    await files.playlist(dir, 'q', signPlaylist);
    expect(await files.segment(dir, 'seg-1.ts')).toEqual(Buffer.alloc(1000, 1));
    expect(await files.segment(dir, 'seg-2.ts')).toEqual(Buffer.alloc(1000, 2));
    expect(files.heldBytes).toBe(1000);
    files.forget(dir);
    expect(files.heldBytes).toBe(0);
  });
});
