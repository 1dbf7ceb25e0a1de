import { performance } from "node:perf_hooks";
import type { Socket } from "socket.io-client";
import { sleep } from "./time.ts";
import { emitWithAck, type MessageDto, type VisitorSendData, waitUntil } from "./world.ts";

/**
 * Parley lets one widget socket send 5 `message.send` a second (a fixed one-second window); 205 ms
 * between two sends of the same socket stays under it whatever the window's phase.
 */
export const VISITOR_SEND_SPACING_MS = 205;

/** The text of the load's `index`th message. */
export const visitorMessageText = (index: number): string => `Bench message ${index}: where is my order? It was due on Monday.`;

/** Bytes of one send's body on the wire, for baselines that must carry the same payload. */
export const visitorSendBytes = (prefix: string, index: number): number =>
  Buffer.byteLength(JSON.stringify({ clientId: `${prefix}-${index}`, text: visitorMessageText(index) }));

export type LoadOptions = {
  /** The visitor sockets that send, round-robin, each at most once per VISITOR_SEND_SPACING_MS. */
  senders: readonly Socket[];
  /** The agent socket whose `message.created` events close each message's delivery time. */
  agent: Socket;
  durationMs: number;
  /** Open loop: this many messages a second. Closed loop when unset: `inflight` sends at a time. */
  ratePerSecond?: number;
  inflight?: number;
  /** Makes clientIds unique across runs on the same server. */
  prefix: string;
  /** How long to wait for the last acks and deliveries after the load stops. */
  drainMs?: number;
};

export type LoadResult = {
  sent: number;
  acked: number;
  failedAcks: number;
  /** Error codes of failed acks (rate_limited, timeouts…), counted. */
  failureCodes: Record<string, number>;
  delivered: number;
  /** ms from the first send to the last ack. */
  elapsedMs: number;
  ackMs: Float64Array;
  deliveryMs: Float64Array;
  /**
   * Sends held back because no sender was allowed to send yet: due sends skipped (open loop), or
   * a lane's waits for a sender (closed loop). Above 0, the widgets' rate limit, not Parley, set the pace.
   */
  starved: number;
  conversationIds: Set<string>;
};

/** Sends visitor messages and times each ack and each arrival at the agent. */
export const runVisitorLoad = async (options: LoadOptions): Promise<LoadResult> => {
  const { senders, agent } = options;
  if (senders.length === 0) throw new Error("no sender sockets");
  const maxMessages = Math.ceil(
    options.ratePerSecond
      ? (options.ratePerSecond * options.durationMs) / 1000 + 10
      : (senders.length * 1000 * options.durationMs) / VISITOR_SEND_SPACING_MS / 1000 + 10,
  );
  const sentAt = new Float64Array(maxMessages);
  const ackMs = new Float64Array(maxMessages);
  const deliveryMs = new Float64Array(maxMessages);
  const lastSendAt = new Float64Array(senders.length).fill(-1e9);
  const failureCodes: Record<string, number> = {};
  const conversationIds = new Set<string>();
  const prefixDash = `${options.prefix}-`;
  let sent = 0;
  let acked = 0;
  let failedAcks = 0;
  let delivered = 0;
  let starved = 0;
  let cursor = 0;
  let lastAckAt = 0;

  const onCreated = (event: { message?: MessageDto }) => {
    const clientId = event.message?.clientId;
    if (!clientId?.startsWith(prefixDash)) return;
    const index = Number(clientId.slice(prefixDash.length));
    if (!(index >= 0 && index < sent) || deliveryMs[index] !== 0) return;
    deliveryMs[index] = Math.max(1e-6, performance.now() - (sentAt[index] ?? 0));
    delivered += 1;
  };
  agent.on("message.created", onCreated);

  /** The next sender allowed to send now, or -1. */
  const pickSender = (now: number): number => {
    for (let tries = 0; tries < senders.length; tries++) {
      const candidate = cursor;
      cursor = (cursor + 1) % senders.length;
      if (now - (lastSendAt[candidate] ?? 0) >= VISITOR_SEND_SPACING_MS) return candidate;
    }
    return -1;
  };

  const sendOne = async (senderIndex: number): Promise<void> => {
    const index = sent;
    sent += 1;
    const socket = senders[senderIndex];
    const before = performance.now();
    lastSendAt[senderIndex] = before;
    sentAt[index] = before;
    try {
      const ack = await emitWithAck<VisitorSendData>(socket as Socket, "message.send", {
        clientId: `${prefixDash}${index}`,
        text: visitorMessageText(index),
      });
      if (ack.ok) {
        ackMs[acked] = performance.now() - before;
        acked += 1;
        conversationIds.add(ack.data.conversationId);
      } else {
        failedAcks += 1;
        failureCodes[ack.error.code] = (failureCodes[ack.error.code] ?? 0) + 1;
      }
    } catch {
      failedAcks += 1;
      failureCodes.ack_timeout = (failureCodes.ack_timeout ?? 0) + 1;
    }
    lastAckAt = performance.now();
  };

  const started = performance.now();
  const stopAt = started + options.durationMs;
  const pending = new Set<Promise<void>>();
  const track = (promise: Promise<void>) => {
    pending.add(promise);
    void promise.finally(() => pending.delete(promise));
  };

  try {
    if (options.ratePerSecond) {
      const rate = options.ratePerSecond;
      while (performance.now() < stopAt && sent < maxMessages) {
        const now = performance.now();
        const due = Math.min(maxMessages, Math.floor(((now - started) / 1000) * rate));
        while (sent + starved < due) {
          const sender = pickSender(now);
          if (sender < 0) {
            starved += 1;
            continue;
          }
          track(sendOne(sender));
        }
        await sleep(2);
      }
    } else {
      const inflight = options.inflight ?? 64;
      const lane = async () => {
        while (performance.now() < stopAt && sent < maxMessages) {
          const sender = pickSender(performance.now());
          if (sender < 0) {
            starved += 1;
            await sleep(2);
            continue;
          }
          await sendOne(sender);
        }
      };
      await Promise.all(Array.from({ length: inflight }, lane));
    }
    await waitUntil(() => pending.size === 0, options.drainMs ?? 10_000);
    await waitUntil(() => delivered >= acked, options.drainMs ?? 10_000);
  } finally {
    agent.off("message.created", onCreated);
  }
  return {
    sent,
    acked,
    failedAcks,
    failureCodes,
    delivered,
    elapsedMs: Math.max(1, lastAckAt - started),
    ackMs: ackMs.subarray(0, acked),
    deliveryMs: deliveryMs.subarray(0, sent).filter((value) => value > 0),
    starved,
    conversationIds,
  };
};

/** Each sender's first message: it opens the sender's conversation, which costs more than a follow-up. */
export const openConversations = async (senders: readonly Socket[], prefix: string, concurrency = 32): Promise<number> => {
  let next = 0;
  let failures = 0;
  const lane = async () => {
    while (next < senders.length) {
      const socket = senders[next];
      const index = next;
      next += 1;
      try {
        const ack = await emitWithAck<VisitorSendData>(socket as Socket, "message.send", {
          clientId: `${prefix}-open-${index}`,
          text: "Hello! I have a question about my order.",
        });
        if (!ack.ok) failures += 1;
      } catch {
        failures += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, senders.length) }, lane));
  return failures;
};
