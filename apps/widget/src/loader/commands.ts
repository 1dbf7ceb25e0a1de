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
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isName = (value: unknown): value is string => typeof value === "string" && value.trim() !== "" && value.length <= 100;

/** What each command's arguments must be. */
const ARGUMENTS: Record<string, Array<(value: unknown) => boolean>> = {
  open: [],
  close: [],
  toggle: [],
  show: [],
  hide: [],
  reset: [],
  on: [isWidgetEvent, isCallback],
  off: [isWidgetEvent, isCallback],
  identify: [isObject],
  setAttributes: [isObject],
  track: [isName, (value) => value === undefined || isObject(value)],
  setLocale: [isName],
};

/** Runs `Parley("command", ...args)`, the form the stub snippet queues; the methods go through it too. */
export const dispatchCall = (api: HostApi, args: ArrayLike<unknown>): DispatchResult => {
  const [command, ...rest] = Array.from(args);
  const checks = typeof command === "string" && Object.hasOwn(ARGUMENTS, command) ? ARGUMENTS[command] : undefined;
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
  const listeners: Array<{ event: WidgetEvent; callback: Callback }> = [];
  const remove = (entry: { event: WidgetEvent; callback: Callback } | undefined) => {
    const index = entry ? listeners.indexOf(entry) : -1;
    if (index !== -1) listeners.splice(index, 1);
  };
  return {
    on: (event, callback) => {
      // An entry per call, so the same callback registered twice is unsubscribed once per registration.
      const entry = { event, callback };
      listeners.push(entry);
      return () => remove(entry);
    },
    off: (event, callback) => remove(listeners.find((entry) => entry.event === event && entry.callback === callback)),
    emit: (event, data) => {
      for (const entry of listeners.filter((listener) => listener.event === event)) {
        try {
          entry.callback(data);
        } catch (error) {
          report(error);
        }
      }
    },
  };
};
