export const WIDGET_EVENTS = ["ready", "open", "close", "message", "unread"] as const;
export type WidgetEvent = (typeof WIDGET_EVENTS)[number];
export type Unsubscribe = () => void;
export type Callback = (data?: unknown) => void;

/** The host page's `window.Parley` methods. */
export type HostApi = {
  open: () => void;
  close: () => void;
  toggle: () => void;
  show: () => void;
  hide: () => void;
  on: (event: WidgetEvent, callback: Callback) => Unsubscribe;
  off: (event: WidgetEvent, callback: Callback) => void;
  identify: (user: Record<string, unknown>) => void;
  setAttributes: (attributes: Record<string, unknown>) => void;
  track: (event: string, data?: Record<string, unknown>) => void;
  setLocale: (locale: string) => void;
  reset: () => void;
};

export type DispatchResult = { ok: true; unsubscribe?: Unsubscribe } | { ok: false; reason: string };

const isWidgetEvent = (value: unknown): value is WidgetEvent => WIDGET_EVENTS.some((event) => event === value);
const isCallback = (value: unknown): value is Callback => typeof value === "function";
const SUBSCRIPTION = [isWidgetEvent, isCallback];
/**
 * The only commands whose arguments the loader checks. The frame checks the arguments of the calls
 * it carries out (identify, setAttributes, track, setLocale) and warns the same way, which keeps the loader small.
 */
const ARGUMENTS: Record<string, Array<(value: unknown) => boolean>> = { on: SUBSCRIPTION, off: SUBSCRIPTION };

/** Runs `Parley("command", ...args)`, the form the stub snippet queues; the methods go through it too. */
export const dispatchCall = (api: HostApi, args: ArrayLike<unknown>): DispatchResult => {
  const [command, ...rest] = Array.from(args);
  // Own properties only: "toString" or "constructor" are no commands.
  const checks = typeof command === "string" && Object.hasOwn(api, command) ? (ARGUMENTS[command] ?? []) : undefined;
  // One short reason for an unknown command and for bad arguments keeps the loader small; the README lists both.
  if (!checks?.every((check, index) => check(rest[index]))) return { ok: false, reason: `bad call: ${String(command)}` };
  const result: unknown = Reflect.apply(Reflect.get(api, String(command)), api, rest);
  return command === "on" && typeof result === "function" ? { ok: true, unsubscribe: () => result() } : { ok: true };
};

const isArrayLike = (value: unknown): value is ArrayLike<unknown> =>
  typeof value === "object" && value !== null && "length" in value && typeof value.length === "number";

/**
 * The calls a page queued before the loader ran, from the stub
 * `window.Parley=window.Parley||function(){(window.Parley.q=window.Parley.q||[]).push(arguments)}`
 * or an object stub `{ q: [["open"], …] }`.
 */
export const readQueuedCalls = (stub: unknown): ArrayLike<unknown>[] => {
  if ((typeof stub !== "function" && typeof stub !== "object") || stub === null || !("q" in stub)) return [];
  const queue = stub.q;
  return Array.isArray(queue) ? queue.filter(isArrayLike) : [];
};

export const replayQueuedCalls = (api: HostApi, stub: unknown, warn: (reason: string) => void): void => {
  for (const call of readQueuedCalls(stub)) {
    const result = dispatchCall(api, call);
    if (!result.ok) warn(result.reason);
  }
};

export type Emitter = {
  on: (event: WidgetEvent, callback: Callback) => Unsubscribe;
  off: (event: WidgetEvent, callback: Callback) => void;
  emit: (event: WidgetEvent, data?: unknown) => void;
};

/** A host callback that throws must not break the widget or the other callbacks. */
export const createEmitter = (report: (error: unknown) => void): Emitter => {
  // A tuple per registration, so the same callback registered twice is unsubscribed once per registration.
  // Changes build a new array, so an emit in progress calls exactly the callbacks registered when it began.
  let listeners: Array<[WidgetEvent, Callback]> = [];
  const remove = (entry: [WidgetEvent, Callback] | undefined) => {
    listeners = listeners.filter((listener) => listener !== entry);
  };
  return {
    on: (event, callback) => {
      const entry: [WidgetEvent, Callback] = [event, callback];
      listeners = [...listeners, entry];
      return () => remove(entry);
    },
    off: (event, callback) => remove(listeners.find(([name, registered]) => name === event && registered === callback)),
    emit: (event, data) => {
      for (const [name, callback] of listeners) {
        if (name !== event) continue;
        try {
          callback(data);
        } catch (error) {
          report(error);
        }
      }
    },
  };
};
