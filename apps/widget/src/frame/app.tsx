import { useEffect, useRef, useState } from "preact/hooks";
import { Composer } from "./components/composer.tsx";
import { ClientContext, TranslatorContext } from "./components/context.ts";
import { History, isOffline, OfflineForm, PreChat, Resolved, Welcome } from "./components/home.tsx";
import { Icon } from "./components/icons.tsx";
import { MessageList } from "./components/message-list.tsx";
import type { HostBridge } from "./host-bridge.ts";
import type { Translator } from "./i18n.ts";
import type { WidgetClient, WidgetState } from "./widget-client.ts";

export type View = "home" | "chat" | "history";

const FOCUSABLE = 'a[href],button:not([disabled]),input:not([disabled]):not([tabindex="-1"]),select,textarea,[tabindex="0"]';

/** Keeps Tab inside the open panel: from the last control to the first and back. */
const trapFocus = (event: KeyboardEvent) => {
  if (event.key !== "Tab") return;
  const focusable = [...document.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => element.offsetParent !== null);
  const first = focusable[0];
  const last = focusable.at(-1);
  if (!first || !last) return;
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
};

const useClientState = (client: WidgetClient): WidgetState => {
  const [state, setState] = useState(client.getState());
  useEffect(() => {
    setState(client.getState());
    return client.subscribe(() => setState(client.getState()));
  }, [client]);
  return state;
};

const Problem = ({ title, reason, onRetry, t }: { title: string; reason: string; onRetry: () => void; t: Translator["t"] }) => (
  <div class="problem" role="alert">
    <p class="problem-title">{title}</p>
    <p class="problem-reason">{reason}</p>
    <button type="button" class="retry" onClick={onRetry}>
      {t("retry")}
    </button>
  </div>
);

const ConnectionNotice = ({ state, t, onRetry }: { state: WidgetState; t: Translator["t"]; onRetry: () => void }) => {
  const { connection } = state;
  switch (connection.status) {
    case "connected":
      return null;
    case "connecting":
    case "reconnecting":
      return (
        <p class="status" data-status={connection.status} role="status">
          <span class="spinner" aria-hidden="true" />
          {connection.status === "connecting" ? t("connecting") : t("reconnecting")}
        </p>
      );
    case "ended":
    case "refused":
      return (
        <Problem
          title={t("unavailable")}
          reason={connection.status === "ended" ? t("ended") : (connection.reason ?? t("refused"))}
          onRetry={onRetry}
          t={t}
        />
      );
  }
};

const Chat = ({ state }: { state: WidgetState }) => {
  const isNew = state.conversationId === null;
  const isClosed = state.conversationStatus === "resolved" || state.conversationStatus === "closed";
  // Nobody to chat with: the offline form (with its own fields) replaces the pre-chat form.
  if (isNew && state.greeting === null && isOffline(state) && state.settings.offlineForm.isEnabled) return <OfflineForm />;
  if (isNew && !state.hasProfile) {
    return (
      <>
        {state.messages.length > 0 && <MessageList messages={state.messages} />}
        <PreChat />
      </>
    );
  }
  return (
    <>
      <MessageList messages={state.messages} />
      {isClosed ? <Resolved /> : <Composer />}
    </>
  );
};

export const App = ({
  client,
  translator,
  bridge,
  view,
  onView,
  isMissingInbox,
}: {
  client: WidgetClient;
  translator: Translator;
  bridge: HostBridge;
  view: View;
  onView: (view: View) => void;
  isMissingInbox: boolean;
}) => {
  const { t } = translator;
  const state = useClientState(client);
  const heading = useRef<HTMLHeadingElement>(null);
  const [isExpanded, setExpanded] = useState(false);
  const { settings } = state;
  const title = settings.title || t("title");

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") bridge.post({ type: "parley:close" });
      else trapFocus(event);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [bridge]);

  const body = () => {
    if (state.phase === "failed") {
      const reason = isMissingInbox ? t("missingInbox") : (state.failure ?? t("refused"));
      return <Problem title={t("unavailable")} reason={reason} onRetry={client.retry} t={t} />;
    }
    if (state.phase === "starting")
      return <ConnectionNotice state={{ ...state, connection: { status: "connecting" } }} t={t} onRetry={client.retry} />;
    if (state.phase === "banned") return null;
    switch (view) {
      case "home":
        return <Welcome onChat={() => onView("chat")} onHistory={() => onView("history")} />;
      case "history":
        return <History onOpen={() => onView("chat")} />;
      case "chat":
        return <Chat state={state} />;
    }
  };

  return (
    <ClientContext.Provider value={client}>
      <TranslatorContext.Provider value={translator}>
        <div class={`frame view-${view}`}>
          <header class="header">
            {view !== "home" && state.phase === "ready" && (
              <button type="button" class="icon-button" aria-label={t("back")} onClick={() => onView("home")}>
                <Icon name="back" />
              </button>
            )}
            {settings.logoUrl ? (
              <img class="logo" src={settings.logoUrl} alt="" />
            ) : settings.avatarUrl ? (
              <img class="logo round" src={settings.avatarUrl} alt="" />
            ) : null}
            <div class="heading">
              <h1 class="title" ref={heading} tabIndex={-1}>
                {title}
              </h1>
              {state.availability && (
                <p class="presence">
                  <span class={state.availability.isOnline ? "dot online" : "dot"} aria-hidden="true" />
                  {state.availability.isOnline && state.availability.withinBusinessHours ? t("online") : t("away")}
                </p>
              )}
            </div>
            {/* On a phone the panel already fills the screen: nothing to maximise. */}
            {bridge.isEmbedded && window.innerWidth < screen.width - 40 && (
              <button
                type="button"
                class="icon-button expand"
                aria-label={isExpanded ? t("shrink") : t("expand")}
                onClick={() => {
                  bridge.post({ type: "parley:expand", expanded: !isExpanded });
                  setExpanded(!isExpanded);
                }}
              >
                <Icon name={isExpanded ? "shrink" : "expand"} />
              </button>
            )}
            {bridge.isEmbedded && (
              <button
                type="button"
                class="icon-button"
                aria-label={t("close")}
                onClick={() => bridge.post({ type: "parley:close" })}
              >
                <Icon name="close" />
              </button>
            )}
          </header>
          {state.phase === "ready" && <ConnectionNotice state={state} t={t} onRetry={client.retry} />}
          <main class="body">{body()}</main>
          {settings.showBranding && <footer class="branding">{t("poweredBy")}</footer>}
        </div>
      </TranslatorContext.Provider>
    </ClientContext.Provider>
  );
};
