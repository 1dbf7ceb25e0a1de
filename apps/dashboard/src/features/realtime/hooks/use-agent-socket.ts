import { createContext, useContext } from "react";

/** `connecting`: first attempt; `reconnecting`: lost and retrying; `offline`: not retrying (refused or no network). */
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

export type AgentSocketState = { status: ConnectionStatus };

export const AgentSocketContext = createContext<AgentSocketState | null>(null);

export const useAgentSocket = (): AgentSocketState => {
  const state = useContext(AgentSocketContext);
  if (!state) throw new Error("useAgentSocket() is used outside AgentSocketProvider.");
  return state;
};
