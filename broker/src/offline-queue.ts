interface QueuedSub {
  clientId: string;
}

interface QueueingPersistence {
  outgoingEnqueueCombi(subs: QueuedSub[], packet: unknown): Promise<void>;
}

/**
 * A QoS 1/2 message is queued for every persistent session with a matching subscription, whether it is online or
 * not (aedes' enqueueOffline; the online ones clear it with their PUBACK). The persistence gets one entry per
 * matching *subscription*, so a session with overlapping subscriptions (`a/c` and `a/#`) had the message twice
 * in its queue: sent twice after a reconnect, and the message's reference count never reached 0, so it was never
 * deleted. Here each session gets it once [MQTT-3.3.5-1]. (The queue holds the message as published; it is sent
 * again at that QoS after a reconnect, as in aedes.)
 */
export function queueOncePerSession(persistence: QueueingPersistence): void {
  const enqueue = persistence.outgoingEnqueueCombi.bind(persistence);
  persistence.outgoingEnqueueCombi = (subs, packet) => {
    if (!subs || subs.length < 2) return enqueue(subs, packet);
    const seen = new Set<string>();
    return enqueue(subs.filter((s) => !seen.has(s.clientId) && seen.add(s.clientId)), packet);
  };
}
