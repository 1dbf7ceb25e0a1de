import type { Server as HttpServer, IncomingMessage } from "node:http";
import { AGENT_NAMESPACE, type TAgentServerEvents, type TWidgetServerEvents, WIDGET_NAMESPACE } from "@parley/shared";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import { type Namespace, Server, type Socket } from "socket.io";
import { isAppError } from "./errors.ts";
import { type ClientContext, hasPermission, type RequestIdentity } from "./identity.ts";
import type { Logger } from "./logger.ts";
import { socketConnections } from "./metrics.ts";
import { isTrustedOrigin, readCookie, SESSION_COOKIE } from "./origin.ts";
import { connectRedis } from "./redis.ts";

export const rooms = {
  workspace: (workspaceId: string) => `workspace:${workspaceId}`,
  user: (userId: string) => `user:${userId}`,
  session: (sessionId: string) => `session:${sessionId}`,
  inbox: (inboxId: string) => `inbox:${inboxId}`,
  conversation: (conversationId: string) => `conversation:${conversationId}`,
  apiKey: (apiKeyId: string) => `api-key:${apiKeyId}`,
  /** Agents who see every conversation of a workspace (`conversations.view_all`). */
  allConversations: (workspaceId: string) => `all-conversations:${workspaceId}`,
  /** Every visitor socket of a website inbox (visitors online). */
  inboxVisitors: (inboxId: string) => `inbox-visitors:${inboxId}`,
  /** One visitor's widget sockets on one website inbox. */
  visitor: (inboxId: string, visitorId: string) => `visitor:${inboxId}:${visitorId}`,
  /** Members with `audit.view` watching the live audit stream. */
  audit: (workspaceId: string) => `audit:${workspaceId}`,
} as const;

export type VisitorIdentity = { workspaceId: string; inboxId: string; visitorId: string };

export type AgentAuthenticator = (token: string, client: ClientContext) => Promise<RequestIdentity | null>;
export type VisitorAuthenticator = (auth: Record<string, unknown>) => Promise<VisitorIdentity | null>;

type AgentSocketData = { identity: RequestIdentity; extraRooms: string[] };
type VisitorSocketData = { identity: VisitorIdentity };

/** What services use to reach sockets; they never touch Socket.IO directly. */
export type RealtimePublisher = {
  emitToAgents: <Event extends keyof TAgentServerEvents>(
    room: string | string[],
    event: Event,
    payload: Parameters<TAgentServerEvents[Event]>[0],
  ) => void;
  emitToVisitors: <Event extends keyof TWidgetServerEvents>(
    room: string,
    event: Event,
    payload: Parameters<TWidgetServerEvents[Event]>[0],
  ) => void;
  /** Distinct visitors with a widget open on an inbox, counted across every node. */
  countVisitors: (inboxId: string) => Promise<number>;
  /** The distinct visitor ids with a widget open on an inbox, across every node. */
  onlineVisitorIds: (inboxId: string) => Promise<string[]>;
  /** Makes one member's open sockets (on every node) join or leave a room, e.g. an inbox they were added to. */
  addMemberToRoom: (workspaceId: string, userId: string, room: string) => void;
  removeMemberFromRoom: (workspaceId: string, userId: string, room: string) => void;
  /** Ends the sockets of a revoked session on every node. */
  disconnectSession: (sessionId: string) => void;
  /** Ends every socket of a member (deactivated, removed) in one workspace, on every node. */
  disconnectMember: (workspaceId: string, userId: string) => void;
  /** Ends the sockets opened with a revoked API key, on every node. */
  disconnectApiKey: (apiKeyId: string) => void;
  /** Ends the widget sockets in a room (e.g. one banned visitor's), on every node. */
  disconnectVisitors: (room: string) => void;
};

export type Realtime = {
  io: Server;
  publisher: RealtimePublisher;
  close: () => Promise<void>;
};

type RealtimeOptions = {
  /** Undefined for worker-only processes: they emit through Redis and accept no connections. */
  httpServer: HttpServer | undefined;
  logger: Logger;
  redisUrl: string | undefined;
  publicUrl: string;
  corsOrigins: readonly string[];
  authenticateAgent: AgentAuthenticator;
  authenticateVisitor: VisitorAuthenticator;
  /** Extra rooms an agent socket joins (its inboxes), resolved during the handshake. */
  agentRooms?: (identity: RequestIdentity) => Promise<string[]>;
  /** Binds client-to-server events; runs synchronously at connection so no early event is missed. */
  onAgentConnect?: (socket: Socket, identity: RequestIdentity) => void;
  onVisitorConnect?: (socket: Socket, identity: VisitorIdentity) => void;
};

/** One member in one workspace: the user room alone would also reach their other workspaces. */
const memberRoom = (workspaceId: string, userId: string) => `member:${workspaceId}:${userId}`;

const handshakeError = (code: "unauthorized" | "origin_not_allowed", message: string) =>
  Object.assign(new Error(message), { data: { code, message } });

const trackConnections = (namespace: Namespace) => {
  namespace.on("connection", (socket: Socket) => {
    socketConnections.inc({ namespace: namespace.name });
    socket.on("disconnect", () => socketConnections.dec({ namespace: namespace.name }));
  });
};

const setUpAgentNamespace = (io: Server, options: RealtimeOptions) => {
  const agents = io.of(AGENT_NAMESPACE);
  agents.use((socket, next) => {
    const explicitToken = socket.handshake.auth.token;
    const cookieToken = readCookie(socket.handshake.headers.cookie, SESSION_COOKIE);
    if (typeof explicitToken !== "string" && cookieToken !== undefined) {
      const isTrusted = isTrustedOrigin(socket.handshake.headers.origin, socket.handshake.headers.host, options);
      if (!isTrusted) return next(handshakeError("origin_not_allowed", "This page's origin may not use your Parley session."));
    }
    const token = typeof explicitToken === "string" ? explicitToken : cookieToken;
    if (!token) return next(handshakeError("unauthorized", "Sign in to connect: no session token was sent."));
    const client: ClientContext = { ip: socket.handshake.address, userAgent: socket.handshake.headers["user-agent"] };
    options
      .authenticateAgent(token, client)
      .then((identity) => {
        if (!identity) return next(handshakeError("unauthorized", "Your session has ended; sign in again."));
        return (options.agentRooms ? options.agentRooms(identity) : Promise.resolve([])).then((extraRooms) => {
          (socket.data as AgentSocketData).identity = identity;
          (socket.data as AgentSocketData).extraRooms = extraRooms;
          next();
        });
      })
      .catch((error: unknown) => {
        if (isAppError(error)) return next(Object.assign(new Error(error.message), { data: error.toBody().error }));
        options.logger.error({ err: error }, "agent socket authentication failed");
        next(handshakeError("unauthorized", "Parley could not check your session; try again."));
      });
  });
  agents.on("connection", (socket) => {
    const { identity, extraRooms } = socket.data as AgentSocketData;
    options.onAgentConnect?.(socket, identity);
    const joined = [rooms.workspace(identity.workspaceId), ...extraRooms];
    if (identity.userId) joined.push(rooms.user(identity.userId), memberRoom(identity.workspaceId, identity.userId));
    if (identity.sessionId) joined.push(rooms.session(identity.sessionId));
    if (identity.apiKeyId) joined.push(rooms.apiKey(identity.apiKeyId));
    if (hasPermission(identity, "audit.view")) joined.push(rooms.audit(identity.workspaceId));
    void socket.join(joined);
    socket.emit("session.ready", { userId: identity.userId, workspaceId: identity.workspaceId });
  });
  trackConnections(agents);
};

const setUpWidgetNamespace = (io: Server, options: RealtimeOptions) => {
  const widgets = io.of(WIDGET_NAMESPACE);
  widgets.use((socket, next) => {
    options
      .authenticateVisitor(socket.handshake.auth)
      .then((identity) => {
        if (!identity) return next(handshakeError("unauthorized", "This widget's inbox token is not recognised."));
        (socket.data as VisitorSocketData).identity = identity;
        next();
      })
      .catch((error: unknown) => {
        options.logger.error({ err: error }, "widget socket authentication failed");
        next(handshakeError("unauthorized", "Parley could not check this widget; try again."));
      });
  });
  widgets.on("connection", (socket) => {
    const { identity } = socket.data as VisitorSocketData;
    // Rooms first: connection hooks (visitors online) count this socket.
    void socket.join([rooms.visitor(identity.inboxId, identity.visitorId), rooms.inboxVisitors(identity.inboxId)]);
    options.onVisitorConnect?.(socket, identity);
  });
  trackConnections(widgets);
};

/**
 * An open connection keeps, of its first HTTP request, only what a namespace handshake reads
 * (headers, URL, query, whether it was encrypted): the request object itself is a few kilobytes
 * that would otherwise live as long as each of a site's thousands of idle widget sockets.
 */
const keepOnlyHandshakeOfRequests = (io: Server) => {
  // Worker-only processes have no HTTP server, hence no engine.
  const engine: Server["engine"] | undefined = io.engine;
  engine?.on("connection", (connection: { request: IncomingMessage & { _query?: Record<string, string> } }) => {
    const { request } = connection;
    const handshakeOnly = {
      headers: request.headers,
      url: request.url,
      method: request.method,
      _query: request._query,
      connection: { encrypted: (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true },
    };
    connection.request = handshakeOnly as unknown as IncomingMessage;
  });
};

/** Socket.IO on the HTTP server; with REDIS_URL, events cross nodes through Redis sharded pub/sub. */
export const createRealtime = async (options: RealtimeOptions): Promise<Realtime> => {
  const io = new Server(options.httpServer, {
    path: "/socket.io",
    serveClient: false,
    cors: { origin: [options.publicUrl, ...options.corsOrigins], credentials: true },
    pingInterval: 25_000,
    pingTimeout: 20_000,
    maxHttpBufferSize: 1_000_000,
    connectionStateRecovery: undefined,
  });

  const redisClients: Array<{ quit: () => Promise<unknown> }> = [];
  if (options.redisUrl) {
    const publisher = await connectRedis(options.redisUrl, options.logger, "realtime-publish");
    redisClients.push(publisher);
    const subscriber = await connectRedis(options.redisUrl, options.logger, "realtime-subscribe");
    redisClients.push(subscriber);
    io.adapter(createShardedAdapter(publisher, subscriber, { subscriptionMode: "dynamic" }));
  }

  keepOnlyHandshakeOfRequests(io);
  setUpAgentNamespace(io, options);
  setUpWidgetNamespace(io, options);

  const agents = io.of(AGENT_NAMESPACE);
  const publisher: RealtimePublisher = {
    emitToAgents: (room, event, payload) => {
      agents.to(room).emit(event, payload);
    },
    emitToVisitors: (room, event, payload) => {
      io.of(WIDGET_NAMESPACE).to(room).emit(event, payload);
    },
    countVisitors: async (inboxId) => {
      const sockets = await io.of(WIDGET_NAMESPACE).in(rooms.inboxVisitors(inboxId)).fetchSockets();
      return new Set(sockets.map((socket) => (socket.data as VisitorSocketData).identity.visitorId)).size;
    },
    onlineVisitorIds: async (inboxId) => {
      const sockets = await io.of(WIDGET_NAMESPACE).in(rooms.inboxVisitors(inboxId)).fetchSockets();
      return [...new Set(sockets.map((socket) => (socket.data as VisitorSocketData).identity.visitorId))];
    },
    addMemberToRoom: (workspaceId, userId, room) => {
      agents.in(memberRoom(workspaceId, userId)).socketsJoin(room);
    },
    removeMemberFromRoom: (workspaceId, userId, room) => {
      agents.in(memberRoom(workspaceId, userId)).socketsLeave(room);
    },
    disconnectSession: (sessionId) => {
      agents.in(rooms.session(sessionId)).disconnectSockets(true);
    },
    disconnectMember: (workspaceId, userId) => {
      agents.in(memberRoom(workspaceId, userId)).disconnectSockets(true);
    },
    disconnectApiKey: (apiKeyId) => {
      agents.in(rooms.apiKey(apiKeyId)).disconnectSockets(true);
    },
    disconnectVisitors: (room) => {
      io.of(WIDGET_NAMESPACE).in(room).disconnectSockets(true);
    },
  };

  let closing: Promise<void> | undefined;
  return {
    io,
    publisher,
    close: () => {
      closing ??= (async () => {
        // Not io.close(): that also closes the HTTP server, which Fastify owns and closes itself.
        io.disconnectSockets(true);
        for (const namespace of [io.of(AGENT_NAMESPACE), io.of(WIDGET_NAMESPACE)]) await namespace.adapter.close();
        // A worker-only Server never attached an engine.
        if (options.httpServer) io.engine.close();
        await Promise.all(redisClients.map((client) => client.quit().catch(() => undefined)));
      })();
      return closing;
    },
  };
};
