/**
 * A stream entry as the workers read it: the id as text, the fields binary (a batch entry's `b` value must stay
 * a Buffer; see uplink-entry.ts). Both consumer groups (ingest, alerts) read with ioredis' callBuffer.
 */
export type BufferStreamEntry = [id: string, fields: Buffer[]];

/** One entry of an XREADGROUP / XAUTOCLAIM reply read with callBuffer; null (or null fields) for a deleted one. */
export type BufferReplyEntry = [id: Buffer, fields: Buffer[] | null] | null;

/** The entries of such a reply, skipping deleted ones. */
export function entriesOfReply(rows: readonly BufferReplyEntry[] | undefined): BufferStreamEntry[] {
  const out: BufferStreamEntry[] = [];
  for (const e of rows ?? []) if (Array.isArray(e) && Array.isArray(e[1])) out.push([e[0].toString(), e[1]]);
  return out;
}
