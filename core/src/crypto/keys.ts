import { hkdfSync } from 'node:crypto';

/** Purposes get separate keys derived from the one master secret, so a token for one can never pass as another. */
export type KeyPurpose = 'sms-link' | 'rectify-link' | 'play-url' | 'hls-segment' | 'session' | 'camera-url' | 'publish';

export function deriveKey(masterSecret: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(masterSecret, 'utf8'), Buffer.from('tianwang'), Buffer.from(purpose), 32));
}
