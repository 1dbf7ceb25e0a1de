import type { TWidgetSettings } from "@parley/shared";
import { render } from "preact";
import type { HostCommand } from "../protocol.ts";
import { App, type View } from "./app.tsx";
import { parseFrameParams } from "./frame-params.ts";
import { createHostBridge } from "./host-bridge.ts";
import { parseHostCall } from "./host-calls.ts";
import { englishTranslator, loadTranslator, resolveLocale, type Translator } from "./i18n.ts";
import { isVisitorAway, playChime, replyNotification } from "./notify.ts";
import { DEFAULT_SETTINGS, launcherConfig } from "./settings.ts";
import { startTriggers } from "./triggers.ts";
import { createWidgetClient } from "./widget-client.ts";
import "./styles.css";

/** How long an embedded frame waits for the host page's URL before starting the session without it. */
const PAGE_WAIT_MS = 1_500;

const params = parseFrameParams(window.location.search);
const bridge = createHostBridge(window, params.hostOrigin);
const root = document.getElementById("app");

let translator: Translator = englishTranslator;
let view: View = "home";
let localeOverride: string | null = null;
let bubbleTimer = 0;
let hasShownBubble = false;

const renderApp = () => {
  if (root)
    render(
      <App
        client={client}
        translator={translator}
        bridge={bridge}
        view={view}
        onView={setView}
        isMissingInbox={!params.inboxToken}
      />,
      root,
    );
};

const setView = (next: View) => {
  view = next;
  renderApp();
  // Moves focus to the new screen's first control, so keyboard and screen-reader users follow along.
  requestAnimationFrame(() => document.querySelector<HTMLElement>(".body textarea, .body input, .body button")?.focus());
};

/** The launcher appears once the session answered: a banned visitor never sees it flash. */
const postConfig = () => {
  const { settings, phase } = client.getState();
  if (phase === "starting" || phase === "banned") return;
  bridge.post({
    type: "parley:config",
    config: launcherConfig(settings, {
      pageUrl: client.getPage()?.url ?? "",
      label: settings.title || translator.t("launcher"),
      frameTitle: settings.title || translator.t("title"),
      closeLabel: translator.t("close"),
      dir: translator.dir,
    }),
  });
};

/** Parley.setLocale, then the inbox's setting, then the browser's languages. */
const applyLocale = async (settings: TWidgetSettings) => {
  const requested = [localeOverride, settings.locale === "auto" ? null : settings.locale, params.lang, ...navigator.languages];
  const locale = resolveLocale(requested.filter((tag): tag is string => typeof tag === "string"));
  if (locale !== translator.locale) translator = await loadTranslator(locale);
  document.documentElement.lang = translator.locale;
  document.documentElement.dir = translator.dir;
  document.title = settings.title || translator.t("title");
  renderApp();
  postConfig();
};

const applySettings = (settings: TWidgetSettings) => {
  const style = document.documentElement.style;
  const launcher = launcherConfig(settings, { pageUrl: "", label: "", frameTitle: "", closeLabel: "", dir: "ltr" });
  style.setProperty("--primary", launcher.vars[0]?.[1] ?? DEFAULT_SETTINGS.primaryColor);
  style.setProperty("--on-primary", launcher.vars[1]?.[1] ?? "#fff");
  document.documentElement.dataset.scheme = settings.colorScheme;
  void applyLocale(settings);
  // The settings' attention bubble, once per page load, after its delay.
  window.clearTimeout(bubbleTimer);
  const bubble = settings.attentionBubble;
  if (bubble && !hasShownBubble) {
    bubbleTimer = window.setTimeout(() => {
      if (client.getState().isOpen) return;
      hasShownBubble = true;
      bridge.post({ type: "parley:bubble", text: bubble.text });
    }, bubble.delaySeconds * 1000);
  }
};

const client = createWidgetClient({
  inboxToken: params.inboxToken ?? "",
  initialSettings: DEFAULT_SETTINGS,
  events: {
    settings: applySettings,
    banned: () => bridge.post({ type: "parley:hidden" }),
    unread: (count) => bridge.post({ type: "parley:unread", count }),
    reply: (message) => {
      const state = client.getState();
      bridge.post({ type: "parley:message", text: message.text, sender: message.senderType });
      if (view === "home" && !state.isOpen) view = "chat";
      if (isVisitorAway(state.isOpen, document.visibilityState)) {
        playChime();
        // The host page shows it (and asked for the permission when the visitor first opened the chat).
        bridge.post(replyNotification(message, state.settings, translator.t("newMessage")));
      }
      renderApp();
    },
  },
});

const triggers = startTriggers({
  session: client.getSession,
  page: client.getPage,
  attributes: client.getAttributes,
  isBusy: () => {
    const state = client.getState();
    return (
      state.phase !== "ready" ||
      state.connection.status !== "connected" ||
      state.greeting !== null ||
      ["open", "pending", "snoozed"].includes(state.conversationStatus ?? "")
    );
  },
  fire: client.fireTrigger,
  run: (action, firingId) => {
    switch (action.type) {
      case "greeting":
        client.showGreeting({ text: action.text, senderName: action.sender.name, avatarUrl: action.sender.avatarUrl, firingId });
        view = "chat";
        renderApp();
        if (!client.getState().isOpen) {
          bridge.post({ type: "parley:bubble", text: action.text });
          playChime();
        }
        break;
      case "open_widget":
        bridge.post({ type: "parley:open" });
        break;
      case "attention_bubble":
        bridge.post({ type: "parley:bubble", text: action.text });
        break;
    }
  },
});

let hasStarted = false;
const start = () => {
  if (hasStarted) return;
  hasStarted = true;
  void client.start().then(() => {
    if (client.getState().conversationId) view = "chat";
    renderApp();
    postConfig();
  });
};

bridge.subscribe((message) => {
  switch (message.type) {
    case "parley:page":
      client.setPage({ url: message.url, title: message.title, referrer: message.referrer });
      triggers.pageChanged();
      postConfig();
      start();
      break;
    case "parley:visibility":
      client.setOpen(message.open);
      if (message.open)
        requestAnimationFrame(() => document.querySelector<HTMLElement>(".composer textarea, .body button")?.focus());
      renderApp();
      break;
    case "parley:call":
      runHostCall(message.command, message.args);
      break;
  }
});

const runHostCall = (command: HostCommand, args: unknown[]) => {
  const call = parseHostCall(command, args);
  if (!call) {
    console.warn(`Parley: bad call: ${command}`);
    return;
  }
  switch (call.command) {
    case "identify":
      void client.identify(call.user);
      break;
    case "setAttributes":
      client.setAttributes(call.attributes);
      break;
    case "track":
      client.track(call.event, call.data);
      break;
    case "setLocale":
      localeOverride = call.locale;
      void applyLocale(client.getState().settings);
      break;
    case "reset":
      view = "home";
      hasShownBubble = false;
      void client.reset().then(renderApp);
      break;
  }
};

document.addEventListener("visibilitychange", () => client.markVisible());

if (!params.inboxToken) client.fail();
else if (bridge.isEmbedded) {
  // The host's first page view starts the session (with the page in it); a silent host does not hold it up.
  window.setTimeout(start, PAGE_WAIT_MS);
} else start();

applySettings(DEFAULT_SETTINGS);
bridge.post({ type: "parley:ready" });
