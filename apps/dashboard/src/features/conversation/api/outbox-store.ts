import type { TMessage } from "@parley/shared";
import { useSyncExternalStore } from "react";

/**
 * Messages this tab is sending: shown at once (optimistically) until the server acknowledges them,
 * then the stored message with the same clientId replaces them. A failed one stays, with a retry.
 */
export type OutgoingMessage = {
  clientId: string;
  conversationId: string;
  message: TMessage;
  state: "sending" | "failed";
  error: unknown;
  attachmentIds: string[];
};

let outbox: ReadonlyMap<string, OutgoingMessage> = new Map();
const listeners = new Set<() => void>();

const publish = (next: ReadonlyMap<string, OutgoingMessage>) => {
  outbox = next;
  for (const listener of listeners) listener();
};

export const putOutgoing = (entry: OutgoingMessage) => {
  const next = new Map(outbox);
  next.set(entry.clientId, entry);
  publish(next);
};

export const removeOutgoing = (clientId: string) => {
  if (!outbox.has(clientId)) return;
  const next = new Map(outbox);
  next.delete(clientId);
  publish(next);
};

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => listeners.delete(listener);
};

export const useOutbox = (): ReadonlyMap<string, OutgoingMessage> => useSyncExternalStore(subscribe, () => outbox);
