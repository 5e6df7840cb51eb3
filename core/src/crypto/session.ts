import { deriveKey } from './keys.js';
import { signToken, verifyToken, type TokenResult } from './token.js';
import type { Role } from '../registry/types.js';

/**
 * A signed-in user's session token (bearer header or cookie). The dashboard issues it at login; every
 * service verifies it with the same master secret, without a shared session store.
 */
export interface SessionClaims {
  sub: string;
  role: Role;
  /** district the user works in (inspectors) */
  district?: string | null;
  /** unit the user belongs to (role unit) */
  unit?: string | null;
  exp: number;
  [k: string]: unknown;
}

export function issueSessionToken(masterSecret: string, claims: Omit<SessionClaims, 'exp'>, ttlSeconds = 12 * 3600): string {
  return signToken(deriveKey(masterSecret, 'session'), { ...claims, exp: Math.floor(Date.now() / 1000) + ttlSeconds });
}

export function verifySessionToken(masterSecret: string, token: string): TokenResult<SessionClaims> {
  return verifyToken<SessionClaims>(deriveKey(masterSecret, 'session'), token);
}
