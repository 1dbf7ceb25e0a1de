import { AGENT_NAMESPACE, type TAgentServerEvents, ZAgentServerEvents, ZErrorResponse } from "@parley/shared";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import { io, type Socket } from "socket.io-client";
import { meQueryKey } from "../../auth/api/auth-api";
import { applyWorkspaceUpdate, currentWorkspaceQueryKey } from "../../workspaces/api/workspaces-api";
import { AgentSocketContext, type ConnectionStatus } from "../hooks/use-agent-socket";

const isRefusedSession = (error: Error): boolean => {
  if (!("data" in error)) return false;
  const parsed = ZErrorResponse.shape.error.safeParse(error.data);
  return parsed.success && parsed.data.code === "unauthorized";
};

/** Events may have been missed while disconnected; refetching what the socket keeps fresh closes the gap. */
const resync = (queryClient: QueryClient) => {
  void queryClient.invalidateQueries({ queryKey: meQueryKey });
  void queryClient.invalidateQueries({ queryKey: currentWorkspaceQueryKey });
};

/** One `/agent` connection for the signed-in dashboard; its events update the query cache. */
export const AgentSocketProvider = ({ children }: { children: ReactNode }) => {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<ConnectionStatus>("connecting");

  useEffect(() => {
    // Same origin: the session cookie authenticates the handshake. WebSocket only, so no sticky sessions are needed.
    const socket: Socket<TAgentServerEvents> = io(AGENT_NAMESPACE, {
      path: "/socket.io",
      withCredentials: true,
      transports: ["websocket"],
    });
    let hasConnected = false;

    socket.on("connect", () => {
      setStatus("connected");
      if (hasConnected) resync(queryClient);
      hasConnected = true;
    });
    socket.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      // The server ends a session's sockets when it is revoked (log out elsewhere); `me` then answers 401.
      if (reason === "io server disconnect") {
        setStatus("offline");
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
        return;
      }
      setStatus("reconnecting");
    });
    socket.on("connect_error", (error) => {
      if (socket.active) {
        setStatus(hasConnected ? "reconnecting" : "connecting");
        return;
      }
      setStatus("offline");
      if (isRefusedSession(error)) void queryClient.invalidateQueries({ queryKey: meQueryKey });
    });
    socket.on("workspace.updated", (payload) => {
      const parsed = ZAgentServerEvents["workspace.updated"].safeParse(payload);
      if (parsed.success) applyWorkspaceUpdate(queryClient, parsed.data.workspace);
    });

    const handleOffline = () => setStatus("offline");
    const handleOnline = () => {
      if (socket.connected) setStatus("connected");
      else if (socket.active) setStatus("reconnecting");
      else socket.connect();
    };
    window.addEventListener("offline", handleOffline);
    window.addEventListener("online", handleOnline);

    return () => {
      window.removeEventListener("offline", handleOffline);
      window.removeEventListener("online", handleOnline);
      socket.disconnect();
    };
  }, [queryClient]);

  const value = useMemo(() => ({ status }), [status]);
  return <AgentSocketContext value={value}>{children}</AgentSocketContext>;
};
