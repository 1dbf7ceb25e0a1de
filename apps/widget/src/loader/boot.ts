import { type HostToFrameMessage, pageMessage, parseFrameMessage } from "../protocol.ts";
import { createEmitter, dispatchCall, type HostApi, replayQueuedCalls, type WidgetEvent } from "./commands.ts";
import { buildFrameSrc, deriveEndpoints, isHttpOrigin, readInboxToken } from "./endpoints.ts";
import { trackRoutes } from "./route-tracking.ts";
import { createShell, SHELL_TAG, type Shell } from "./shell.ts";

export const LOADER_VERSION = "0.1.0";
const GLOBAL_NAME = "Parley";
const LOADER_SELECTOR = 'script[src*="widget.js"][data-inbox]';
const LABELS = { launcher: "Chat with us", frame: "Chat" };

const warn = (message: string) => console.warn(`Parley: ${message}`);

const findOwnScript = (doc: Document): HTMLScriptElement | null => {
  const current = doc.currentScript;
  if (current instanceof HTMLScriptElement && current.hasAttribute("data-inbox")) return current;
  return doc.querySelector<HTMLScriptElement>(LOADER_SELECTOR);
};

const isLoaded = (value: unknown): boolean => typeof value === "function" && "version" in value;

/** DOM work waits for DOMContentLoaded and then for an idle moment, so the host page renders first. */
const whenPageIsIdle = (win: Window, run: () => void) => {
  const schedule = () => {
    if (typeof win.requestIdleCallback === "function") win.requestIdleCallback(run, { timeout: 2000 });
    else win.setTimeout(run, 1);
  };
  if (win.document.readyState === "loading") win.document.addEventListener("DOMContentLoaded", schedule, { once: true });
  else schedule();
};

/** Installs `window.Parley`, replays the stub's queue, and mounts the launcher once the page is idle. */
export const boot = (win: Window): void => {
  const doc = win.document;
  const existing: unknown = Reflect.get(win, GLOBAL_NAME);
  if (isLoaded(existing)) return;

  const script = findOwnScript(doc);
  const endpoints = script ? deriveEndpoints(script.src, doc.baseURI) : null;
  const inboxToken = readInboxToken(script?.getAttribute("data-inbox"));
  if (!endpoints || !inboxToken) {
    warn(`embed the widget as <script async src="https://YOUR-PARLEY/widget.js" data-inbox="INBOX_TOKEN"></script>.`);
    return;
  }
  const hostOrigin = win.location.origin;
  if (!isHttpOrigin(hostOrigin)) {
    warn("the widget runs only on pages served over http or https.");
    return;
  }
  const { parleyOrigin } = endpoints;
  const frameSrc = buildFrameSrc(endpoints, inboxToken, hostOrigin);

  const emitter = createEmitter((error) => console.error("Parley: an event callback failed", error));
  let isOpen = false;
  let isLauncherVisible = true;
  let isReady = false;
  let lastPageSent = "";
  let shell: Shell | undefined;
  let frame: HTMLIFrameElement | undefined;

  const postToFrame = (message: HostToFrameMessage) => {
    if (isReady) frame?.contentWindow?.postMessage(message, parleyOrigin);
  };

  const sendPage = () => {
    const message = pageMessage(win.location.href, doc.title);
    const key = JSON.stringify(message);
    if (key === lastPageSent) return;
    lastPageSent = key;
    postToFrame(message);
  };

  const render = () => {
    if (!shell) return;
    if (isOpen) frame = shell.ensureFrame(frameSrc);
    shell.render({ isOpen, isLauncherVisible });
  };

  const setOpen = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    // Closing from inside the panel must not strand keyboard focus on a hidden element.
    const hadFocus = doc.activeElement === shell?.host;
    render();
    postToFrame({ type: "parley:visibility", open });
    if (!open && hadFocus && isLauncherVisible) shell?.launcher.focus();
    emitter.emit(open ? "open" : "close");
  };

  const setLauncherVisible = (visible: boolean) => {
    isLauncherVisible = visible;
    render();
  };

  const on = (event: WidgetEvent, callback: () => void) => {
    const unsubscribe = emitter.on(event, callback);
    // `ready` is a state as much as an event: a late subscriber still hears it.
    if (event === "ready" && isReady) win.setTimeout(callback, 0);
    return unsubscribe;
  };

  const methods: HostApi = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    show: () => setLauncherVisible(true),
    hide: () => setLauncherVisible(false),
    on,
  };
  const api = Object.assign(
    (...args: unknown[]) => {
      const result = dispatchCall(methods, args);
      if (!result.ok) warn(result.reason);
      return result.ok ? result.unsubscribe : undefined;
    },
    methods,
    { version: LOADER_VERSION },
  );
  Reflect.set(win, GLOBAL_NAME, api);
  replayQueuedCalls(methods, existing, warn);

  win.addEventListener("message", (event: MessageEvent<unknown>) => {
    if (event.origin !== parleyOrigin || !frame || event.source !== frame.contentWindow) return;
    const message = parseFrameMessage(event.data);
    if (message?.type === "parley:close") setOpen(false);
    if (message?.type === "parley:ready") {
      const isFirstReady = !isReady;
      isReady = true;
      lastPageSent = "";
      postToFrame({ type: "parley:visibility", open: isOpen });
      sendPage();
      if (isFirstReady) emitter.emit("ready");
    }
  });

  whenPageIsIdle(win, () => {
    // A second copy of an older loader, or a page that cloned our element, already mounted one.
    if (doc.querySelector(SHELL_TAG)) return;
    shell = createShell(doc, LABELS, () => {
      methods.toggle();
      // Only a click or key press on the launcher moves focus into the panel; Parley.open() never steals it.
      if (isOpen) frame?.focus();
    });
    render();
    trackRoutes(win, sendPage);
  });
};
