import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/**
 * Two kinds of stored credentials:
 * - Passwords chosen by people (users): scrypt, slow on purpose, because people pick guessable passwords.
 * - Device and camera secrets: 128-bit random values the platform generates. Brute force is out of reach,
 *   so a salted SHA-256 is enough and keeps 5,000 terminals reconnecting at once from costing minutes of CPU.
 */
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 256 * 1024 * 1024 });
  return timingSafeEqual(key, expected);
}

/** A new random device or camera secret: 32 hex characters (128 bits). */
export function generateSecret(): string {
  return randomBytes(16).toString('hex');
}

export function hashSecret(secret: string): string {
  const salt = randomBytes(12).toString('base64url');
  const hash = createHash('sha256').update(salt).update(':').update(secret).digest('base64url');
  return `s256$${salt}$${hash}`;
}

export function verifySecret(secret: string, stored: string | null | undefined): boolean {
  if (!stored) return false;
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 's256' || !salt || !hash) return false;
  const actual = createHash('sha256').update(salt).update(':').update(secret).digest();
  const expected = Buffer.from(hash, 'base64url');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * The demo district's secrets are derived from its seed, so the simulator can connect every demo device
 * without the platform ever storing a plaintext secret. Never used outside demo data.
 */
export function demoSecret(seed: number | string, type: 'device' | 'camera' | 'user', id: string): string {
  return createHmac('sha256', `tianwang-demo:${seed}`).update(`${type}:${id}`).digest('hex').slice(0, 32);
}
