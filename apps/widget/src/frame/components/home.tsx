import type { TWidgetContact } from "@parley/shared";
import { useEffect, useState } from "preact/hooks";
import { newClientId } from "../chat-messages.ts";
import type { FormValues } from "../forms.ts";
import { describeRefusal, formatDuration } from "../i18n.ts";
import type { WidgetState } from "../widget-client.ts";
import { useClient, useTranslator } from "./context.ts";
import { FieldsForm } from "./forms.tsx";
import { Icon } from "./icons.tsx";

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");

/** An identified visitor's name and email, to fill the forms' fields of those keys. */
const knownValues = (contact: TWidgetContact | null): FormValues => ({
  ...(contact?.name ? { name: contact.name } : {}),
  ...(contact?.email ? { email: contact.email } : {}),
});

/** A picture that fails to load (removed, offline) falls back to the initials. */
const TeamAvatar = ({ name, url }: { name: string; url: string | null }) => {
  const [hasFailed, setHasFailed] = useState(false);
  return url && !hasFailed ? (
    <img src={url} alt={name} onError={() => setHasFailed(true)} />
  ) : (
    <span role="img" aria-label={name}>
      {initials(name)}
    </span>
  );
};
export const isOffline = (state: WidgetState): boolean =>
  state.availability !== null && (!state.availability.isOnline || !state.availability.withinBusinessHours);

/** The welcome screen: greeting, the team, whether anyone is there and how fast they usually answer. */
export const Welcome = ({ onChat, onHistory }: { onChat: () => void; onHistory: () => void }) => {
  const { t, locale } = useTranslator();
  const state = useClient().getState();
  const { availability, settings } = state;
  const agents = availability?.agents.slice(0, 3) ?? [];
  const reply = availability?.typicalReplySeconds;
  return (
    <section class="welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title" class="welcome-title">
        {settings.subtitle || state.inboxGreeting || t("subtitle")}
      </h2>
      {agents.length > 0 && (
        <ul class="team">
          {agents.map((agent) => (
            <li key={agent.name} title={agent.name}>
              <TeamAvatar name={agent.name} url={agent.avatarUrl} />
            </li>
          ))}
        </ul>
      )}
      {availability && (
        <p class="availability">
          <span class={availability.isOnline ? "dot online" : "dot"} aria-hidden="true" />
          {availability.isOnline && availability.withinBusinessHours ? t("online") : t("away")}
          {availability.isOnline && reply != null && (
            <span class="reply-time">
              {reply < 60 ? t("replySoon") : t("replyTime", { time: formatDuration(reply, locale) })}
            </span>
          )}
        </p>
      )}
      {availability && !availability.withinBusinessHours && <p class="hours">{t("outsideHours")}</p>}
      <button type="button" class="primary start" onClick={onChat}>
        <Icon name="chat" />
        {state.conversationId ? t("continueChat") : t("newChat")}
      </button>
      <button type="button" class="secondary" onClick={onHistory}>
        {t("history")}
      </button>
    </section>
  );
};

export const History = ({ onOpen }: { onOpen: () => void }) => {
  const { t, locale } = useTranslator();
  const client = useClient();
  const { history } = client.getState();
  useEffect(() => {
    void client.loadHistory();
  }, [client]);
  if (history === null) return <p class="status">{t("connecting")}</p>;
  if (history.length === 0) return <p class="status">{t("noHistory")}</p>;
  return (
    <ul class="history">
      {history.map((item) => (
        <li key={item.id}>
          <button
            type="button"
            onClick={() => {
              void client.openConversation(item.id, item.status);
              onOpen();
            }}
          >
            <span class="history-text">{item.lastMessage?.text || "…"}</span>
            <time dateTime={item.lastActivityAt}>{new Date(item.lastActivityAt).toLocaleDateString(locale)}</time>
          </button>
        </li>
      ))}
    </ul>
  );
};

export const PreChat = () => {
  const { t } = useTranslator();
  const client = useClient();
  const { settings } = client.getState();
  return (
    <section class="panel-form" aria-labelledby="prechat-title">
      <h2 id="prechat-title">{t("preChatTitle")}</h2>
      <p>{t("preChatIntro")}</p>
      <FieldsForm
        fields={settings.preChatForm.fields}
        submitLabel={t("startChat")}
        onSubmit={client.submitProfile}
        initialValues={knownValues(client.getState().contact)}
      />
    </section>
  );
};

export const OfflineForm = () => {
  const { t } = useTranslator();
  const client = useClient();
  const { settings, offlineSent, contact } = client.getState();
  const [message, setMessage] = useState("");
  // One id per form: sending again after a lost answer stores the message once.
  const [clientId] = useState(newClientId);
  if (offlineSent) {
    return (
      <p class="done" role="status">
        {t("offlineSent")}
      </p>
    );
  }
  return (
    <section class="panel-form" aria-labelledby="offline-title">
      <h2 id="offline-title">{t("offlineTitle")}</h2>
      <p>{t("offlineIntro")}</p>
      <FieldsForm
        fields={settings.offlineForm.fields}
        submitLabel={t("send")}
        onSubmit={(values) => client.submitOffline(values, message, clientId)}
        initialValues={knownValues(contact)}
        extraValid={() => (message.trim() ? null : t("required"))}
        extra={
          <div class="field">
            <label for="offline-message">
              {t("message")}
              <span aria-hidden="true"> *</span>
            </label>
            <textarea
              id="offline-message"
              rows={4}
              required
              value={message}
              onInput={(event) => setMessage(event.currentTarget.value)}
            />
          </div>
        }
      />
    </section>
  );
};

/** After resolution: the rating (in the message list) plus "email me the transcript" and a fresh start. */
export const Resolved = () => {
  const translator = useTranslator();
  const { t } = translator;
  const client = useClient();
  const { contact } = client.getState();
  const [email, setEmail] = useState(contact?.email ?? "");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [isAsking, setAsking] = useState(false);
  return (
    <section class="resolved">
      <p>{t("resolved")}</p>
      {sentTo ? (
        <p class="done" role="status">
          {t("transcriptSent", { email: sentTo })}
        </p>
      ) : isAsking ? (
        <form
          class="transcript"
          onSubmit={async (event) => {
            event.preventDefault();
            if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) return setFailure(t("badEmail"));
            const result = await client.requestTranscript(email);
            if (result.ok) setSentTo(email.trim());
            else setFailure(result.fieldErrors.email ?? describeRefusal(translator, result.refusal));
          }}
        >
          <label for="transcript-email">{t("email")}</label>
          <input
            id="transcript-email"
            type="email"
            autocomplete="email"
            value={email}
            onInput={(event) => setEmail(event.currentTarget.value)}
          />
          {failure && (
            <p class="form-error" role="alert">
              {failure}
            </p>
          )}
          <button type="submit" class="secondary">
            {t("transcript")}
          </button>
        </form>
      ) : (
        <button type="button" class="link" onClick={() => setAsking(true)}>
          {t("transcript")}
        </button>
      )}
      <button type="button" class="secondary" onClick={client.startNewConversation}>
        {t("newConversation")}
      </button>
    </section>
  );
};
