import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '@tianwang/core/errors';

/**
 * Evidence photos sent by people (rectification photos of alarms and of kitchens): the image itself is the request
 * body; its type is what the bytes say (magic numbers), and a declared type the content contradicts is refused.
 * Stored once by SHA-256 under TW_DATA_DIR/<folder>/ab/<sha256> (the same photo twice is one file).
 */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];

export function sniffImage(b: Buffer): PhotoType | undefined {
  if (b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length > 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (b.length > 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

/** The body as an image of its declared type, or 415 TW_PAYLOAD_INVALID naming what is accepted. */
export function checkedImage(body: unknown, contentType: string | undefined): { bytes: Buffer; type: PhotoType; sha256: string } {
  if (!Buffer.isBuffer(body) || !body.length) throw new UserError('TW_PAYLOAD_INVALID', `body: an image (${PHOTO_TYPES.join(', ')}) up to ${PHOTO_MAX_BYTES / 1024 / 1024} MB`, 415);
  const declared = String(contentType ?? '').split(';')[0]!.trim();
  const type = sniffImage(body);
  if (!type || type !== declared) throw new UserError('TW_PAYLOAD_INVALID', `body: the content is not a ${declared} image`, 415);
  return { bytes: body, type, sha256: createHash('sha256').update(body).digest('hex') };
}

export const imagePath = (dataDir: string, folder: string, sha256: string) => join(dataDir, folder, sha256.slice(0, 2), sha256);

/** Writes the file (then renames it: a reader never sees half a photo). */
export async function storeImage(dataDir: string, folder: string, img: { bytes: Buffer; sha256: string }): Promise<void> {
  const path = imagePath(dataDir, folder, img.sha256);
  await mkdir(join(path, '..'), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, img.bytes);
  await rename(tmp, path);
}

export const readImage = (dataDir: string, folder: string, sha256: string) => readFile(imagePath(dataDir, folder, sha256)).catch(() => undefined);
