export const WIDGET_EVENTS = ["ready", "open", "close"] as const;
export type WidgetEvent = (typeof WIDGET_EVENTS)[number];
export type Unsubscribe = () => void;

/** The host page's `window.Parley` methods. */
export type HostApi = {
  open: () => void;
  close: () => void;
  toggle: () => void;
  show: () => void;
  hide: () => void;
  on: (event: WidgetEvent, callback: () => void) => Unsubscribe;
};

export type DispatchResult = { ok: true; unsubscribe?: Unsubscribe } | { ok: false; reason: string };

const isWidgetEvent = (value: unknown): value is WidgetEvent => WIDGET_EVENTS.some((event) => event === value);

const isCallback = (value: unknown): value is () => void => typeof value === "function";

/** Runs `Parley("command", ...args)`, the form the stub snippet queues. */
export const dispatchCall = (api: HostApi, args: ArrayLike<unknown>): DispatchResult => {
  const [command, event, callback] = Array.from(args);
  switch (command) {
    case "open":
    case "close":
    case "toggle":
    case "show":
    case "hide":
      api[command]();
      return { ok: true };
    case "on":
      if (!isWidgetEvent(event)) return { ok: false, reason: `unknown event ${String(event)}; use ${WIDGET_EVENTS.join(", ")}` };
      if (!isCallback(callback)) return { ok: false, reason: "on() needs a callback function" };
      return { ok: true, unsubscribe: api.on(event, callback) };
    default:
      return { ok: false, reason: `unknown command ${String(command)}` };
  }
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
  on: (event: WidgetEvent, callback: () => void) => Unsubscribe;
  emit: (event: WidgetEvent) => void;
};

/** A host callback that throws must not break the widget or the other callbacks. */
export const createEmitter = (report: (error: unknown) => void): Emitter => {
  const listeners = new Map<WidgetEvent, Set<() => void>>();
  return {
    on: (event, callback) => {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      // A wrapper per call, so the same callback registered twice is unsubscribed once per registration.
      const entry = () => callback();
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    emit: (event) => {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          listener();
        } catch (error) {
          report(error);
        }
      }
    },
  };
};
