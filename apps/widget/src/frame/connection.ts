import { io, type Socket } from "socket.io-client";
import { type ConnectionState, stateAfterConnectError } from "./connection-state.ts";

/** Mirrors WIDGET_NAMESPACE in @parley/shared, which would pull zod into the frame bundle. */
const WIDGET_NAMESPACE = "/widget";
const ACK_TIMEOUT_MS = 15_000;

/** A refusal as the server words it: a stable code, sometimes a finer reason, and English for people. */
export type AckError = { code: string; message: string; reason?: string; details?: unknown };
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };

export type WidgetConnection = {
  socket: Socket;
  /** Emits and waits for the server's `{ ok, data } | { ok: false, error }`; a timeout or drop is an error too. */
  request: <T>(event: string, payload: unknown) => Promise<Ack<T>>;
  retry: () => void;
  close: () => void;
};

/** The `error` of an ack or an HTTP error body, whatever its shape. */
export const readRefusal = (error: unknown): AckError => {
  const field = (name: string): unknown => (typeof error === "object" && error !== null ? Reflect.get(error, name) : undefined);
  const code = field("code");
  const message = field("message");
  const reason = field("reason");
  return {
    code: typeof code === "string" ? code : "bad_response",
    message: typeof message === "string" ? message : "",
    ...(typeof reason === "string" ? { reason } : {}),
    details: field("details"),
  };
};

const readAck = <T>(value: unknown): Ack<T> => {
  if (typeof value === "object" && value !== null && Reflect.get(value, "ok") === true) {
    return { ok: true, data: Reflect.get(value, "data") };
  }
  return { ok: false, error: readRefusal(typeof value === "object" && value !== null ? Reflect.get(value, "error") : null) };
};

/** Opens the visitor socket on the frame's own origin (the Parley server) and reports every state change. */
export const connectWidget = (visitorToken: string, onState: (state: ConnectionState) => void): WidgetConnection => {
  onState({ status: "connecting" });
  // WebSocket only: no sticky sessions needed across nodes, and no long-polling CORS round trips.
  const socket = io(WIDGET_NAMESPACE, { transports: ["websocket"], auth: { visitorToken } });
  socket.on("connect", () => onState({ status: "connected" }));
  socket.on("connect_error", (error) => onState(stateAfterConnectError(error, socket.active)));
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") onState(socket.active ? { status: "reconnecting" } : { status: "ended" });
  });
  return {
    socket,
    request: async <T>(event: string, payload: unknown): Promise<Ack<T>> => {
      try {
        return readAck<T>(await socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, payload));
      } catch {
        return { ok: false, error: { code: "timeout", message: "" } };
      }
    },
    retry: () => {
      onState({ status: "connecting" });
      socket.connect();
    },
    close: () => {
      socket.disconnect();
    },
  };
};
