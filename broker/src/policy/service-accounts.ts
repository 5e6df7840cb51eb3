import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Built-in service accounts. Each logs in with username `svc:<account>` and a password derived from the one
 * master password (TW_MQTT_SERVICE_PASSWORD): HMAC-SHA256(master, "mqtt-service:<account>") in hex. A leaked
 * dashboard password therefore does not open the alerts account, and every service computes its own password
 * with `servicePassword()` without another secret to distribute.
 */
export const SERVICE_ACCOUNTS = ['ingest', 'alerts', 'dashboard', 'sim-admin'] as const;
export type ServiceAccount = (typeof SERVICE_ACCOUNTS)[number];

export const SERVICE_USERNAME_PREFIX = 'svc:';

export function serviceUsername(account: ServiceAccount): string {
  return `${SERVICE_USERNAME_PREFIX}${account}`;
}

/** The MQTT password of one service account, derived from the master service password. */
export function servicePassword(master: string, account: ServiceAccount): string {
  return createHmac('sha256', master).update(`mqtt-service:${account}`).digest('hex');
}

export function isServiceAccount(name: string): name is ServiceAccount {
  return (SERVICE_ACCOUNTS as readonly string[]).includes(name);
}

/** Constant-time comparison of a presented password with the account's derived one. */
export function checkServicePassword(master: string, account: ServiceAccount, presented: Buffer | undefined): boolean {
  if (!presented) return false;
  const expected = Buffer.from(servicePassword(master, account), 'utf8');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/**
 * A service's client ID must start with `svc:<account>` (e.g. `svc:ingest:node-1`), or be empty with a clean
 * session (the broker then assigns one, [MQTT-3.1.3-6]). ':' never occurs in a device ID, so a service can never
 * take over a device's session, and one service cannot take over another's.
 */
export function serviceClientIdAllowed(account: ServiceAccount, clientId: string): boolean {
  const prefix = serviceUsername(account);
  return clientId === prefix || clientId.startsWith(`${prefix}:`);
}
