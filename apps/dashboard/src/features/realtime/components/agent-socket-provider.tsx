import { AGENT_NAMESPACE, ZAgentServerEvents, ZErrorResponse } from "@parley/shared";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { meQueryKey } from "../../auth/api/auth-api";
import { useSession } from "../../auth/hooks/use-session";
import { contactDisplayName } from "../../inbox/lib/format";
import { alertMember } from "../../notifications/api/notify";
import { applyWorkspaceUpdate, currentWorkspaceQueryKey } from "../../workspaces/api/workspaces-api";
import { type AgentSocket, AgentSocketContext, type AgentSocketState, type ConnectionStatus } from "../hooks/use-agent-socket";
import { type AgentAlert, resyncConversations, subscribeToAgentEvents } from "../lib/apply-agent-events";
import { getOpenConversation } from "../lib/live-activity-store";

type SocketClient = typeof import("socket.io-client");

/**
 * The Socket.IO client, downloaded when the signed-in shell first renders rather than with the first load (sign-in
 * screens never need it). `failed` until the browser is back online, when the download is tried again.
 */
const useSocketClient = (): SocketClient | "failed" | null => {
  const [client, setClient] = useState<SocketClient | "failed" | null>(null);
  useEffect(() => {
    let isUnmounted = false;
    const load = () => {
      import("socket.io-client").then(
        (module) => {
          if (!isUnmounted) setClient(module);
        },
        () => {
          if (isUnmounted) return;
          setClient("failed");
          window.addEventListener("online", load, { once: true });
        },
      );
    };
    load();
    return () => {
      isUnmounted = true;
      window.removeEventListener("online", load);
    };
  }, []);
  return client;
};

const isRefusedSession = (error: Error): boolean => {
  if (!("data" in error)) return false;
  const parsed = ZErrorResponse.shape.error.safeParse(error.data);
  return parsed.success && parsed.data.code === "unauthorized";
};

/** Events may have been missed while disconnected; refetching what the socket keeps fresh closes the gap. */
const resync = (queryClient: QueryClient) => {
  void queryClient.invalidateQueries({ queryKey: meQueryKey });
  void queryClient.invalidateQueries({ queryKey: currentWorkspaceQueryKey });
  resyncConversations(queryClient);
};

/** One `/agent` connection for the signed-in dashboard; its events update the query cache. */
export const AgentSocketProvider = ({ children }: { children: ReactNode }) => {
  const queryClient = useQueryClient();
  const { user } = useSession();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [status, setStatus] = useState<ConnectionStatus>("connecting");
  const [socket, setSocket] = useState<AgentSocket | null>(null);
  const socketClient = useSocketClient();
  // Alerts are worded at the moment they fire, in the language chosen by then.
  const alertRef = useRef<(alert: AgentAlert) => void>(() => undefined);
  alertRef.current = (alert: AgentAlert) => {
    const { conversation } = alert;
    const conversationId = "message" in alert ? alert.message.conversationId : alert.conversation.id;
    // What the agent is looking at needs no alert.
    if (getOpenConversation() === conversationId && document.visibilityState === "visible") return;
    const contactName = conversation ? contactDisplayName(conversation.contact, t) : t("conversation.typing.someone");
    const body = "message" in alert ? alert.message.text : contactName;
    alertMember(
      {
        userId: user.id,
        kind: alert.kind,
        title: t(`notifications.alert.${alert.kind}`, { name: contactName }),
        body,
        path: `/inbox/conversations/${conversationId}`,
        tag: `conversation-${conversationId}`,
      },
      navigate,
    );
  };

  useEffect(() => {
    if (socketClient === null || socketClient === "failed") return;
    // Same origin: the session cookie authenticates the handshake. WebSocket only, so no sticky sessions are needed.
    const connection: AgentSocket = socketClient.io(AGENT_NAMESPACE, {
      path: "/socket.io",
      withCredentials: true,
      transports: ["websocket"],
    });
    setSocket(connection);
    let hasConnected = false;

    connection.on("connect", () => {
      setStatus("connected");
      if (hasConnected) resync(queryClient);
      hasConnected = true;
    });
    connection.on("disconnect", (reason) => {
      if (reason === "io client disconnect") return;
      // The server ends a session's sockets when it is revoked (log out elsewhere); `me` then answers 401.
      if (reason === "io server disconnect") {
        setStatus("offline");
        void queryClient.invalidateQueries({ queryKey: meQueryKey });
        return;
      }
      setStatus("reconnecting");
    });
    connection.on("connect_error", (error) => {
      if (connection.active) {
        setStatus(hasConnected ? "reconnecting" : "connecting");
        return;
      }
      setStatus("offline");
      if (isRefusedSession(error)) void queryClient.invalidateQueries({ queryKey: meQueryKey });
    });
    connection.on("workspace.updated", (payload) => {
      const parsed = ZAgentServerEvents["workspace.updated"].safeParse(payload);
      if (parsed.success) applyWorkspaceUpdate(queryClient, parsed.data.workspace);
    });
    const unsubscribe = subscribeToAgentEvents(connection, {
      queryClient,
      userId: user.id,
      onAlert: (alert) => alertRef.current(alert),
    });

    const handleOffline = () => setStatus("offline");
    const handleOnline = () => {
      if (connection.connected) setStatus("connected");
      else if (connection.active) setStatus("reconnecting");
      else connection.connect();
    };
    window.addEventListener("offline", handleOffline);
    window.addEventListener("online", handleOnline);

    return () => {
      window.removeEventListener("offline", handleOffline);
      window.removeEventListener("online", handleOnline);
      unsubscribe();
      connection.disconnect();
      setSocket(null);
    };
  }, [socketClient, queryClient, user.id]);

  const value = useMemo<AgentSocketState>(
    () => ({ status: socketClient === "failed" ? "offline" : status, socket }),
    [socketClient, status, socket],
  );
  return <AgentSocketContext value={value}>{children}</AgentSocketContext>;
};
