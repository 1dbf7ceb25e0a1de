import { useEffect, useRef, useState } from "preact/hooks";
import type { ConnectionState } from "./connection-state.ts";
import type { HostBridge } from "./host-bridge.ts";
import type { Translator } from "./i18n.ts";

type Connection = { retry: () => void; close: () => void };
export type Connect = (onState: (state: ConnectionState) => void) => Connection;

type AppProps = {
  translator: Translator;
  bridge: HostBridge;
  /** Null when the frame has no inbox token, so there is nothing to connect to. */
  connect: Connect | null;
};

const CloseIcon = () => (
  <svg viewBox="0 0 24 24" aria-hidden="true" width="20" height="20">
    <path d="M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z" />
  </svg>
);

const ConnectionStatus = ({ state, t, onRetry }: { state: ConnectionState; t: Translator["t"]; onRetry: () => void }) => {
  switch (state.status) {
    case "connecting":
      return (
        <p class="status" data-status="connecting">
          <span class="spinner" aria-hidden="true" />
          {t("connecting")}
        </p>
      );
    case "connected":
      return (
        <p class="status" data-status="connected">
          {t("connected")}
        </p>
      );
    case "reconnecting":
      return (
        <p class="status" data-status="reconnecting">
          <span class="spinner" aria-hidden="true" />
          {t("reconnecting")}
        </p>
      );
    case "ended":
    case "refused":
      return (
        <div class="problem" data-status={state.status}>
          <p class="problem-title">{t("unavailable")}</p>
          <p class="problem-reason">{state.status === "ended" ? t("ended") : (state.reason ?? t("refusedWithoutReason"))}</p>
          <button type="button" class="retry" onClick={onRetry}>
            {t("retry")}
          </button>
        </div>
      );
  }
};

export const App = ({ translator, bridge, connect }: AppProps) => {
  const { t } = translator;
  const [state, setState] = useState<ConnectionState>(
    connect ? { status: "connecting" } : { status: "refused", reason: t("missingInbox") },
  );
  const connection = useRef<Connection | null>(null);

  useEffect(() => {
    if (!connect) return;
    const opened = connect(setState);
    connection.current = opened;
    return opened.close;
  }, [connect]);

  useEffect(() => {
    bridge.post({ type: "parley:ready" });
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape") bridge.post({ type: "parley:close" });
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [bridge]);

  return (
    <div class="frame">
      <header class="header">
        <h1 class="title">{t("title")}</h1>
        {bridge.isEmbedded && (
          <button type="button" class="close" aria-label={t("close")} onClick={() => bridge.post({ type: "parley:close" })}>
            <CloseIcon />
          </button>
        )}
      </header>
      <main class="body" aria-live="polite">
        <ConnectionStatus state={state} t={t} onRetry={() => connection.current?.retry()} />
      </main>
    </div>
  );
};
