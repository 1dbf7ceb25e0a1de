import type { Permission, TSocketAck } from "@parley/shared";
import type { Socket } from "socket.io";
import type { z } from "zod";
import { AppError, isAppError } from "./errors.ts";
import { hasPermission, type RequestIdentity } from "./identity.ts";
import type { Logger } from "./logger.ts";

/**
 * A client-to-server socket event: who may send it, its payload schema, and a handler whose result
 * is the ack. Malformed payloads, refusals and failures come back as an error ack in the HTTP error
 * shape; nothing a client sends can crash the server.
 */
export type SocketEvent<Identity, Schema extends z.ZodType = z.ZodType, Result = unknown> = {
  name: string;
  /** Throws an AppError when this identity may not send the event. Required: every event declares it. */
  authorize: (identity: Identity) => void;
  payload: Schema;
  /** Events per second one socket may send before it gets `rate_limited` acks. */
  ratePerSecond: number;
  handle: (identity: Identity, payload: z.infer<Schema>, socket: Socket) => Promise<Result>;
};

export const defineSocketEvent = <Identity, Schema extends z.ZodType, Result>(
  event: SocketEvent<Identity, Schema, Result>,
): SocketEvent<Identity, Schema, Result> => event;

/** The authorize rule for agent events: a permission, or "authenticated" for any member or key. */
export const requireSocketPermission =
  (permission: Permission | "authenticated") =>
  (identity: RequestIdentity): void => {
    if (permission !== "authenticated" && !hasPermission(identity, permission)) {
      throw new AppError("forbidden", `You need the "${permission}" permission to do this.`, undefined, {
        reason: "permission_required",
        params: { permission },
      });
    }
  };

/** Any visitor with a valid widget session may send visitor events. */
export const allowVisitor = (): void => undefined;

type Ack = (answer: TSocketAck<unknown>) => void;

const toErrorAck = (error: unknown, logger: Logger): TSocketAck<never> => {
  if (isAppError(error)) return { ok: false, error: error.toBody().error };
  logger.error({ err: error }, "socket event failed");
  return { ok: false, error: { code: "internal_error", message: "Something went wrong on our side; try again." } };
};

/** A fixed one-second window per socket and event name. */
const createRateLimiter = () => {
  const windows = new Map<string, { startedAt: number; count: number }>();
  return (name: string, perSecond: number): boolean => {
    const now = Date.now();
    const window = windows.get(name);
    if (!window || now - window.startedAt >= 1_000) {
      windows.set(name, { startedAt: now, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= perSecond;
  };
};

// biome-ignore lint/suspicious/noExplicitAny: each event has its own payload schema; the binder only parses with it.
type AnySocketEvent<Identity> = SocketEvent<Identity, any, unknown>;

/** A namespace's events by name, built once per process and shared by every socket. */
export type SocketEventTable<Identity> = ReadonlyMap<string, AnySocketEvent<Identity>>;

export const socketEventTable = <Identity>(events: ReadonlyArray<AnySocketEvent<Identity>>): SocketEventTable<Identity> =>
  new Map(events.map((event) => [event.name, event]));

const handleSocketEvent = async <Identity>(
  event: AnySocketEvent<Identity>,
  identity: Identity,
  socket: Socket,
  args: unknown[],
  isWithinRate: (name: string, perSecond: number) => boolean,
  logger: Logger,
): Promise<void> => {
  const maybeAck = args.at(-1);
  const ack: Ack = typeof maybeAck === "function" ? (answer) => maybeAck(answer) : () => undefined;
  try {
    if (!isWithinRate(event.name, event.ratePerSecond)) {
      throw new AppError("rate_limited", `Slow down: at most ${event.ratePerSecond} "${event.name}" events per second.`);
    }
    event.authorize(identity);
    const parsed = event.payload.safeParse(args[0]);
    if (!parsed.success) {
      throw new AppError(
        "validation_failed",
        `The "${event.name}" payload is not valid.`,
        parsed.error.issues.map((issue: { path: PropertyKey[]; message: string }) => ({
          path: issue.path.map(String).join("."),
          message: issue.message,
        })),
      );
    }
    ack({ ok: true, data: await event.handle(identity, parsed.data, socket) });
  } catch (error) {
    ack(toErrorAck(error, logger));
  }
};

/**
 * One listener per socket for every event of its namespace: a site keeps thousands of idle widget
 * sockets open, so what each holds is counted (a listener per event name cost more than the socket).
 * Events nobody defined are ignored, as Socket.IO ignores events without listeners.
 */
export const bindSocketEvents = <Identity>(
  socket: Socket,
  identity: Identity,
  events: SocketEventTable<Identity>,
  logger: Logger,
): void => {
  let isWithinRate: ReturnType<typeof createRateLimiter> | undefined;
  socket.onAny((name: unknown, ...args: unknown[]) => {
    const event = typeof name === "string" ? events.get(name) : undefined;
    if (!event) return;
    isWithinRate ??= createRateLimiter();
    void handleSocketEvent(event, identity, socket, args, isWithinRate, logger);
  });
};
