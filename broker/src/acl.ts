import type { DeviceKind } from '@tianwang/core/schemas';
import { commandFilter, eventTopic, statusTopic, telemetryTopic, tryParseTopic, UPLINK_CHANNELS } from '@tianwang/core/topics';
import type { ServiceAccount } from './service-accounts.js';

/**
 * Who a connected client is, decided once at CONNECT and kept on the client. The ACL below is pure: it looks
 * only at the principal and the topic.
 */
export type Principal = DevicePrincipal | ServicePrincipal;

export interface DevicePrincipal {
  type: 'device';
  id: string;
  kind: DeviceKind;
  /** the credential hash the session was admitted with: a change (rotation) revokes the session */
  credentialHash: string;
  /**
   * `tw/v1/{kind}/{id}/`, cut from core's statusTopic() at CONNECT and kept flat: the hot path compares strings
   * instead of parsing, and an idle connection holds one short string instead of four.
   */
  base: string;
}

export interface ServicePrincipal {
  type: 'service';
  account: ServiceAccount;
}

export function devicePrincipal(id: string, kind: DeviceKind, credentialHash: string): DevicePrincipal {
  const status = statusTopic(kind, id);
  // Buffer round trip: a flat string, not a slice pinning the concatenation it came from
  const base = Buffer.from(status.slice(0, status.length - 'status'.length), 'latin1').toString('latin1');
  if (telemetryTopic(kind, id) !== `${base}telemetry` || eventTopic(kind, id) !== `${base}event`) throw new Error('topic layout changed: update acl.ts');
  return { type: 'device', id, kind, credentialHash, base };
}

/** The device's own status topic (presence entries, will check). */
export const deviceStatusTopic = (p: DevicePrincipal) => statusTopic(p.kind, p.id);

const UPLINK_SUFFIXES = new Set<string>(UPLINK_CHANNELS);

/**
 * What each service role may do, as MQTT topic filters. A requested subscription is granted only when every
 * topic it can match is matched by one of the role's filters (see filterCovers); a publish only when its
 * topic matches one. `$SYS` is in nobody's list.
 */
interface RoleRules {
  publish: string[];
  subscribe: string[];
  /** publishes on device uplink topics are handed to the pipeline as if the device had sent them */
  uplinkPublisher?: boolean;
}

const UPLINK_FILTERS = UPLINK_CHANNELS.map((c) => `tw/v1/+/+/${c}`);
const COMMAND_FILTER = 'tw/v1/+/+/cmd/+';

export const ROLE_RULES: Record<ServiceAccount, RoleRules> = {
  // Reads everything devices say (the Redis uplink stream is its main input; MQTT is for live views).
  ingest: { publish: [], subscribe: ['tw/v1/#'] },
  // Sends commands to devices.
  alerts: { publish: [COMMAND_FILTER], subscribe: [] },
  // Live board: reads uplink, sends commands.
  dashboard: { publish: [COMMAND_FILTER], subscribe: UPLINK_FILTERS },
  // Simulator load scenarios: acts for many devices over one connection.
  'sim-admin': { publish: UPLINK_FILTERS, subscribe: [COMMAND_FILTER], uplinkPublisher: true },
};

export type PublishDecision = { ok: true; uplink: boolean } | { ok: false; reason: string };

const ALLOW_UPLINK: PublishDecision = { ok: true, uplink: true };
const ALLOW_OTHER: PublishDecision = { ok: true, uplink: false };

/** May this principal publish on this topic? `uplink` says whether the message goes to the pipeline. */
export function authorizePublishTopic(p: Principal, topic: string): PublishDecision {
  if (p.type === 'device') {
    // a device speaks only on its own three uplink topics
    const base = p.base;
    if (topic.length > base.length && topic.startsWith(base) && UPLINK_SUFFIXES.has(topic.slice(base.length))) return ALLOW_UPLINK;
    return { ok: false, reason: 'not this device\'s uplink topic' };
  }
  const rules = ROLE_RULES[p.account];
  if (!rules.publish.some((f) => topicMatches(f, topic))) return { ok: false, reason: `role ${p.account} may not publish here` };
  if (rules.uplinkPublisher) {
    const parsed = tryParseTopic(topic);
    if (typeof parsed === 'string') return { ok: false, reason: parsed };
    return ALLOW_UPLINK;
  }
  return ALLOW_OTHER;
}

/** May this principal subscribe to this filter? */
export function authorizeSubscribeFilter(p: Principal, filter: string): boolean {
  if (p.type === 'device') {
    // its own command filter, or one of its own concrete command topics
    if (filter === commandFilter(p.kind, p.id)) return true;
    const parsed = tryParseTopic(filter);
    return typeof parsed !== 'string' && parsed.channel === 'cmd' && parsed.deviceId === p.id && parsed.kind === p.kind;
  }
  return ROLE_RULES[p.account].subscribe.some((allowed) => filterCovers(allowed, filter));
}

/**
 * Does the concrete topic match the filter? [MQTT-4.7.1-2] '#' matches the parent level too; [MQTT-4.7.2-1] '$' topics
 * never match a leading wildcard. Level by level without splitting (it runs per delivered message in
 * delivery-rules.ts): `f`, `t` are where the current level starts; `t` = topic.length + 1 once the topic has no more.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const first = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === 36 && (first === 43 || first === 35)) return false;
  const fl = filter.length;
  const tl = topic.length;
  for (let f = 0, t = 0; ;) {
    let fe = filter.indexOf('/', f);
    if (fe === -1) fe = fl;
    const c = filter.charCodeAt(f);
    if (c === 35 && fe === f + 1) return true;
    if (t > tl) return false;
    let te = topic.indexOf('/', t);
    if (te === -1) te = tl;
    if (!(c === 43 && fe === f + 1)) {
      if (fe - f !== te - t) return false;
      for (let i = 0; i < fe - f; i++) if (filter.charCodeAt(f + i) !== topic.charCodeAt(t + i)) return false;
    }
    if (fe === fl) return te === tl;
    f = fe + 1;
    t = te + 1;
  }
}

/** Is every topic that `requested` can match also matched by `allowed`? (wildcards on both sides) */
export function filterCovers(allowed: string, requested: string): boolean {
  if (requested.startsWith('$')) return allowed.startsWith('$') && filterCovers(allowed.slice(1), requested.slice(1));
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    const al = a[i];
    if (al === '#') return true;
    const rl = r[i];
    if (rl === undefined) return false;
    if (rl === '#') return false;
    if (al === '+') continue;
    if (rl === '+' || rl !== al) return false;
  }
  return r.length === a.length;
}
