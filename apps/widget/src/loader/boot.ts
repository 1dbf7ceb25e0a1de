import { type HostCommand, type HostToFrameMessage, type LauncherConfig, pageMessage, parseFrameMessage } from "../protocol.ts";
import { type Callback, createEmitter, dispatchCall, type HostApi, replayQueuedCalls, type WidgetEvent } from "./commands.ts";
import { buildFrameSrc, deriveEndpoints, isHttpOrigin, readInboxToken } from "./endpoints.ts";
import { createNotifier } from "./notifications.ts";
import { trackRoutes } from "./route-tracking.ts";
import { createShell, SHELL_TAG, type Shell } from "./shell.ts";

export const LOADER_VERSION = "0.2.0";
const GLOBAL_NAME = "Parley";
const LOADER_SELECTOR = 'script[src*="widget.js"][data-inbox]';
const PHONE_QUERY = "(max-width: 640px)";

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

/** Installs `window.Parley`, replays the stub's queue, and mounts the widget once the page is idle. */
export const boot = (win: Window & typeof globalThis): void => {
  const doc = win.document;
  const existing: unknown = Reflect.get(win, GLOBAL_NAME);
  if (isLoaded(existing)) return;

  const script = findOwnScript(doc);
  const endpoints = script ? deriveEndpoints(script.src, doc.baseURI) : null;
  const inboxToken = readInboxToken(script?.getAttribute("data-inbox"));
  if (!endpoints || !inboxToken) {
    warn("data-inbox missing");
    return;
  }
  const hostOrigin = win.location.origin;
  if (!isHttpOrigin(hostOrigin)) {
    warn("http(s) pages only.");
    return;
  }
  const { parleyOrigin } = endpoints;
  const frameSrc = buildFrameSrc(endpoints, inboxToken, hostOrigin);

  const emitter = createEmitter((error) => console.error("Parley:", error));
  let isOpen = false;
  let isLauncherVisible = true;
  let isReady = false;
  let isBanned = false;
  let config: LauncherConfig | null = null;
  let unread = 0;
  let bubble: string | null = null;
  let isBubbleDismissed = false;
  let lastPageSent = "";
  let shell: Shell | undefined;
  // Host calls made before the frame is ready, delivered in order once it is.
  const pending: HostToFrameMessage[] = [];

  const postToFrame = (message: HostToFrameMessage) => {
    if (isReady) shell?.frame.contentWindow?.postMessage(message, parleyOrigin);
    else if (message.type === "parley:call") pending.push(message);
  };

  /** Settings can keep the widget off phones and off some pages; it is also off until the frame sent settings. */
  const isShown = () =>
    !!config && !isBanned && !config.isHiddenHere && !(config.hideOnMobile && win.matchMedia?.(PHONE_QUERY).matches);

  const render = () => {
    shell?.render({
      isOpen: isOpen && isShown(),
      isLauncherVisible,
      isShown: isShown(),
      unread,
      bubble: isBubbleDismissed ? null : bubble,
    });
  };

  const sendPage = () => {
    const message = pageMessage(win.location.href, doc.title, doc.referrer);
    const key = JSON.stringify(message);
    render();
    if (key === lastPageSent) return;
    lastPageSent = key;
    postToFrame(message);
  };

  const setOpen = (open: boolean) => {
    if (open === isOpen) return;
    isOpen = open;
    // Closing from inside the panel must not strand keyboard focus on a hidden element.
    const hadFocus = doc.activeElement === shell?.host;
    if (open) {
      unread = 0;
      isBubbleDismissed = true;
    }
    render();
    postToFrame({ type: "parley:visibility", open });
    if (!open && hadFocus && isLauncherVisible) shell?.launcher.focus();
    emitter.emit(open ? "open" : "close");
  };

  const setLauncherVisible = (visible: boolean) => {
    isLauncherVisible = visible;
    render();
  };

  const call =
    (command: HostCommand) =>
    (...args: unknown[]) =>
      postToFrame({ type: "parley:call", command, args });

  const methods: HostApi = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    show: () => setLauncherVisible(true),
    hide: () => setLauncherVisible(false),
    on: (event: WidgetEvent, callback: Callback) => {
      const unsubscribe = emitter.on(event, callback);
      // `ready` is a state as much as an event: a late subscriber still hears it.
      if (event === "ready" && isReady) win.setTimeout(callback, 0);
      return unsubscribe;
    },
    off: emitter.off,
    identify: call("identify"),
    setAttributes: call("setAttributes"),
    track: call("track"),
    setLocale: call("setLocale"),
    // The frame answers a reset with a zero unread count and forgets the bubble itself.
    reset: call("reset"),
  };
  // A visitor's click (launcher, bubble, notification) opens the panel, moves focus into it, and is the
  // one moment browsers let us ask for notifications. Parley.open() never steals focus nor prompts.
  const openByVisitor = () => {
    setOpen(true);
    notifier.ask();
    shell?.frame.focus();
  };
  const notifier = createNotifier(win, openByVisitor);

  const dispatch = (...args: unknown[]) => {
    const result = dispatchCall(methods, args);
    if (!result.ok) warn(result.reason);
    return result.ok ? result.unsubscribe : undefined;
  };
  // Methods go through the function form, so Parley.identify("x") warns like Parley("identify", "x") (the frame checks those arguments).
  const api = Object.assign(
    dispatch,
    Object.fromEntries(Object.keys(methods).map((name) => [name, (...args: unknown[]) => dispatch(name, ...args)])),
    { version: LOADER_VERSION },
  );
  Reflect.set(win, GLOBAL_NAME, api);
  replayQueuedCalls(methods, existing, warn);

  win.addEventListener("message", (event: MessageEvent<unknown>) => {
    if (event.origin !== parleyOrigin || !shell || event.source !== shell.frame.contentWindow) return;
    const message = parseFrameMessage(event.data);
    if (!message) return;
    switch (message.type) {
      case "parley:ready": {
        const isFirstReady = !isReady;
        isReady = true;
        lastPageSent = "";
        postToFrame({ type: "parley:visibility", open: isOpen });
        sendPage();
        for (const queued of pending.splice(0)) postToFrame(queued);
        if (isFirstReady) emitter.emit("ready");
        break;
      }
      case "parley:close":
        setOpen(false);
        break;
      case "parley:open":
        setOpen(true);
        break;
      case "parley:hidden":
        isBanned = true;
        setOpen(false);
        render();
        break;
      case "parley:config":
        config = message.config;
        shell.configure(config);
        render();
        break;
      case "parley:expand":
        shell.expand(message.expanded);
        break;
      case "parley:unread":
        unread = isOpen ? 0 : message.count;
        render();
        emitter.emit("unread", { count: unread });
        break;
      case "parley:message":
        emitter.emit("message", { text: message.text, sender: message.sender });
        break;
      case "parley:notify":
        notifier.show(message.title, message.text, message.icon);
        break;
      case "parley:bubble":
        bubble = message.text;
        isBubbleDismissed = false;
        render();
        break;
    }
  });

  whenPageIsIdle(win, () => {
    // A second copy of an older loader, or a page that cloned our element, already mounted one.
    if (doc.querySelector(SHELL_TAG)) return;
    shell = createShell(doc, frameSrc, {
      onToggle: () => (isOpen ? setOpen(false) : openByVisitor()),
      onBubbleClick: openByVisitor,
      onBubbleClose: () => {
        isBubbleDismissed = true;
        render();
      },
    });
    render();
    trackRoutes(win, sendPage);
    win.matchMedia?.(PHONE_QUERY).addEventListener?.("change", render);
  });
};
