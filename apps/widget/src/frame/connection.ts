import { io } from "socket.io-client";
import { type ConnectionState, stateAfterConnectError } from "./connection-state.ts";

/** Mirrors WIDGET_NAMESPACE in @parley/shared, which would pull zod into the frame bundle. */
const WIDGET_NAMESPACE = "/widget";

export type WidgetConnection = { retry: () => void; close: () => void };

/** Opens the visitor socket on the frame's own origin (the Parley server) and reports every state change. */
export const connectWidget = (inboxToken: string, onState: (state: ConnectionState) => void): WidgetConnection => {
  onState({ status: "connecting" });
  // WebSocket only: no sticky sessions needed across nodes, and no long-polling CORS round trips.
  const socket = io(WIDGET_NAMESPACE, { transports: ["websocket"], auth: { inboxToken } });
  socket.on("connect", () => onState({ status: "connected" }));
  socket.on("connect_error", (error) => onState(stateAfterConnectError(error, socket.active)));
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") onState(socket.active ? { status: "reconnecting" } : { status: "ended" });
  });
  return {
    retry: () => {
      onState({ status: "connecting" });
      socket.connect();
    },
    close: () => {
      socket.disconnect();
    },
  };
};
