import { describe, expect, it } from 'vitest';
import { hashSecret } from '@tianwang/core/crypto';
import type { Camera } from '@tianwang/core/registry';
import { judgePicture } from '../src/health/frame-analysis.js';
import { signPlay, verifyPlay } from '../src/access/play-signing.js';
import { decidePublish } from '../src/access/publish-auth.js';
import { rangePlaylist, segmentsInRange } from '../src/recording/recording-files.js';
import { inWindow } from '../src/recording/time-window.js';
import { ViewerLimits } from '../src/access/viewer-limits.js';

const key = Buffer.alloc(32, 7);

describe('play signing', () => {
  it('accepts its own signature and tells missing (401) from bad or expired (403)', () => {
    const { query } = signPlay(key, 'cam-1', 60, 'i');
    expect(verifyPlay(key, 'cam-1', new URLSearchParams(query))).toMatchObject({ ok: true, grant: { aud: 'i' } });
    expect(verifyPlay(key, 'cam-1', new URLSearchParams(''))).toMatchObject({ ok: false, status: 401 });
    expect(verifyPlay(key, 'cam-2', new URLSearchParams(query))).toMatchObject({ ok: false, status: 403, reason: 'bad_signature' });
    expect(verifyPlay(key, 'cam-1', new URLSearchParams(query.replace('aud=i', 'aud=p')))).toMatchObject({ status: 403 });
    expect(verifyPlay(Buffer.alloc(32, 8), 'cam-1', new URLSearchParams(query))).toMatchObject({ status: 403 });
    const old = signPlay(key, 'cam-1', 60, 'p', Date.now() - 120_000).query;
    expect(verifyPlay(key, 'cam-1', new URLSearchParams(old))).toMatchObject({ ok: false, status: 403, reason: 'expired' });
  });
});

describe('publish auth', () => {
  const cam: Camera = { id: 'cam-1', kitchenId: 'k', area: 'raw', name: '', mode: 'push', sourceUrlSealed: null, publishCredentialHash: hashSecret('s3cret'), recordingEnabled: true, recordingHours: null, enabled: true };
  const lookup = (id: string) => (id === 'cam-1' ? cam : id === 'cam-off' ? { ...cam, id, enabled: false } : id === 'cam-pull' ? { ...cam, id, mode: 'pull' as const } : undefined);
  it('lets a camera publish to its own path with its own secret only', () => {
    expect(decidePublish('/live/cam-1', 's3cret', lookup).ok).toBe(true);
    expect(decidePublish('/live/cam-1', 'wrong', lookup)).toEqual({ ok: false, reason: 'wrong publish secret' });
    expect(decidePublish('/live/cam-1', undefined, lookup)).toEqual({ ok: false, reason: 'missing publish secret' });
    expect(decidePublish('/live/cam-x', 's3cret', lookup)).toEqual({ ok: false, reason: 'unknown camera' });
    expect(decidePublish('/live/cam-off', 's3cret', lookup)).toEqual({ ok: false, reason: 'camera disabled' });
    expect(decidePublish('/live/cam-pull', 's3cret', lookup).ok).toBe(false);
    expect(decidePublish('/other/cam-1', 's3cret', lookup).ok).toBe(false);
  });
});

describe('time windows', () => {
  const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00+08:00`);
  it('checks local hours in the configured zone, across midnight too', () => {
    expect(inWindow('09:00-22:00', at('08:59'), 'Asia/Shanghai')).toBe(false);
    expect(inWindow('09:00-22:00', at('09:00'), 'Asia/Shanghai')).toBe(true);
    expect(inWindow('22:00-06:00', at('23:30'), 'Asia/Shanghai')).toBe(true);
    expect(inWindow('22:00-06:00', at('12:00'), 'Asia/Shanghai')).toBe(false);
    expect(inWindow(null, at('12:00'), 'Asia/Shanghai')).toBe(true);
  });
});

describe('picture judgement', () => {
  const frame = (fn: (i: number) => number) => Uint8Array.from({ length: 576 }, (_, i) => fn(i));
  it('tells black, frozen and moving pictures apart', () => {
    expect(judgePicture([frame(() => 16), frame(() => 17), frame(() => 16)]).state).toBe('blank');
    const still = frame((i) => (i * 7) % 255);
    expect(judgePicture([still, still, still]).state).toBe('frozen');
    expect(judgePicture([still, frame((i) => (i * 11) % 255), still]).state).toBe('ok');
    // a dark but textured kitchen at night is not black
    expect(judgePicture([frame((i) => (i % 2 ? 5 : 60)), frame((i) => (i % 2 ? 60 : 5)), frame((i) => (i % 3 ? 5 : 60))]).state).toBe('ok');
  });
});

describe('viewer limits', () => {
  it('caps concurrent streams per IP', () => {
    const l = new ViewerLimits({ concurrentPerIp: 1 });
    const release = l.acquireSession('a');
    expect(release).not.toBeNull();
    expect(l.acquireSession('a')).toBeNull();
    release!();
    release!();
    expect(l.acquireSession('a')).not.toBeNull();
  });
});

describe('recording playlists', () => {
  it('lists the segments overlapping a range and marks gaps', () => {
    const segs = [
      { file: '1000.ts', start: 1_000_000, end: 1_060_000 },
      { file: '1060.ts', start: 1_060_000, end: 1_120_000 },
      { file: '2000.ts', start: 2_000_000, end: 2_060_000 },
    ];
    expect(segmentsInRange(segs, 1_050_000, 1_070_000).map((s) => s.file)).toEqual(['1000.ts', '1060.ts']);
    const m3u8 = rangePlaylist(segs, (s) => `/rec/${s.file}`);
    expect(m3u8.match(/#EXT-X-DISCONTINUITY/g)).toHaveLength(1);
    expect(m3u8).toMatch(/#EXTINF:60\.000,\n\/rec\/1000\.ts/);
    expect(m3u8.trim().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });
});
