import { type TAgentServerEvents, type TErrorResponse, ZSocketErrorAck } from "@parley/shared";
import { createContext, useContext, useEffect, useRef } from "react";
import type { Socket } from "socket.io-client";

/** `connecting`: first attempt; `reconnecting`: lost and retrying; `offline`: not retrying (refused or no network). */
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

/** Client events the dashboard sends; every one is acknowledged with `SocketAck`. */
type AgentClientEvents = {
  [Event in "message.send" | "conversation.resync" | "typing" | "presence.set" | "internal.send"]: (
    payload: Record<string, unknown>,
    acknowledge: (answer: unknown) => void,
  ) => void;
};
export type AgentClientEvent = keyof AgentClientEvents;

export type AgentSocket = Socket<TAgentServerEvents, AgentClientEvents>;

export type AgentSocketState = { status: ConnectionStatus; socket: AgentSocket | null };

export const AgentSocketContext = createContext<AgentSocketState | null>(null);

export const useAgentSocket = (): AgentSocketState => {
  const state = useContext(AgentSocketContext);
  if (!state) throw new Error("useAgentSocket() is used outside AgentSocketProvider.");
  return state;
};

/** Acknowledgement of an agent client event, the same shape as the HTTP error body on failure. */
export type SocketAck = { ok: true; data: unknown } | { ok: false; error: TErrorResponse["error"] };

const ACK_TIMEOUT_MS = 10_000;

/** Emits a client event and waits for the server's acknowledgement; a timeout rejects. */
export const emitWithAck = async (
  socket: AgentSocket,
  event: AgentClientEvent,
  payload: Record<string, unknown>,
): Promise<SocketAck> => {
  const answer: unknown = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload);
  if (typeof answer === "object" && answer !== null && "ok" in answer) {
    if (answer.ok === true && "data" in answer) return { ok: true, data: answer.data };
    const parsed = ZSocketErrorAck.safeParse(answer);
    if (parsed.success) return parsed.data;
  }
  return { ok: false, error: { code: "invalid_response", message: "The server's acknowledgement has an unknown shape." } };
};

/** Subscribes a component to one agent server event for as long as it is mounted; the latest handler always runs. */
export const useAgentSocketEvent = <Event extends keyof TAgentServerEvents>(
  event: Event,
  handler: TAgentServerEvents[Event],
): void => {
  const { socket } = useAgentSocket();
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (!socket) return;
    const listener = (payload: Parameters<TAgentServerEvents[Event]>[0]) => {
      const current: (value: Parameters<TAgentServerEvents[Event]>[0]) => void = handlerRef.current;
      current(payload);
    };
    // Socket.IO's overloads cannot relate a generic event name to its listener type.
    socket.on(event, listener as never);
    return () => {
      socket.off(event, listener as never);
    };
  }, [socket, event]);
};
