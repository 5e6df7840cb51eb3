/**
 * One entry of the uplink stream. Field names are short because there are thousands per second.
 *   t  MQTT topic (a device topic from core/topics)
 *   p  raw payload as received (UTF-8 text; validation is ingest's job)
 *   r  receive time at the broker, ms since epoch
 *   c  MQTT client id that published it (equals the device id for devices)
 *   k  entry kind: "m" a published message, "o" presence online, "x" presence offline (payload: reason)
 */
export type UplinkEntryKind = 'm' | 'o' | 'x';

export interface UplinkEntry {
  topic: string;
  payload: string;
  receivedAt: number;
  clientId: string;
  kind: UplinkEntryKind;
}

/** Flattens an entry to the XADD field list. */
export function encodeUplinkEntry(e: UplinkEntry): string[] {
  return ['t', e.topic, 'p', e.payload, 'r', String(e.receivedAt), 'c', e.clientId, 'k', e.kind];
}

/** Reads the XREADGROUP field list back; returns undefined when the entry is not one of ours. */
export function decodeUplinkEntry(fields: string[]): UplinkEntry | undefined {
  let topic: string | undefined;
  let payload = '';
  let receivedAt = 0;
  let clientId = '';
  let kind: UplinkEntryKind = 'm';
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const v = fields[i + 1] as string;
    switch (fields[i]) {
      case 't': topic = v; break;
      case 'p': payload = v; break;
      case 'r': receivedAt = Number(v); break;
      case 'c': clientId = v; break;
      case 'k': if (v === 'm' || v === 'o' || v === 'x') kind = v; break;
    }
  }
  if (topic === undefined || !Number.isFinite(receivedAt)) return undefined;
  return { topic, payload, receivedAt, clientId, kind };
}
