import { useEffect, useRef, useState } from "preact/hooks";
import { type ChatMessage, groupReactions, isFromTeam } from "../chat-messages.ts";
import { QUICK_REACTIONS } from "../emoji.ts";
import { describeRefusal, formatDuration } from "../i18n.ts";
import { renderMarkdown } from "../markdown.ts";
import { formAnswerText, type RichButton, readRichContent } from "../rich-content.ts";
import { formatBytes } from "../upload.ts";
import { useClient, useTranslator } from "./context.ts";
import { FieldsForm } from "./forms.tsx";
import { Icon } from "./icons.tsx";

const Text = ({ text }: { text: string }) =>
  // renderMarkdown escapes all HTML first and only adds its own tags; see markdown.ts and its tests.
  text ? <div class="text" dir="auto" dangerouslySetInnerHTML={{ __html: renderMarkdown(text) }} /> : null;

const Buttons = ({
  buttons,
  onChoose,
  disabled,
}: {
  buttons: RichButton[];
  onChoose: (button: RichButton) => void;
  disabled?: boolean;
}) => (
  <div class="buttons">
    {buttons.map((button) =>
      button.url ? (
        <a key={button.title} class="chip" href={button.url} target="_blank" rel="noopener noreferrer">
          {button.title}
        </a>
      ) : (
        <button key={button.title} type="button" class="chip" disabled={disabled} onClick={() => onChoose(button)}>
          {button.title}
        </button>
      ),
    )}
  </div>
);

const Csat = ({ message }: { message: ChatMessage }) => {
  const translator = useTranslator();
  const { t } = translator;
  const client = useClient();
  const [rating, setRating] = useState(0);
  const [comment, setComment] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  if (client.getState().answered[message.id]) return <p class="done">{t("rated")}</p>;
  return (
    <form
      class="csat"
      onSubmit={async (event) => {
        event.preventDefault();
        if (!rating) return setFailure(t("required"));
        const result = await client.submitCsat(message.id, rating, comment);
        setFailure(result.ok ? null : describeRefusal(translator, result.refusal));
      }}
    >
      <fieldset>
        <legend>{t("rateTitle")}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((value) => (
            <label key={value} class={value <= rating ? "star on" : "star"} title={t("stars", { n: value })}>
              <input
                type="radio"
                name={`rating-${message.id}`}
                value={value}
                checked={rating === value}
                onChange={() => setRating(value)}
              />
              <Icon name="star" size={28} />
              <span class="sr">{t("stars", { n: value })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label class="field">
        {t("comment")}
        <textarea rows={2} value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
      </label>
      {failure && (
        <p class="form-error" role="alert">
          {failure}
        </p>
      )}
      <button type="submit" class="primary">
        {t("sendRating")}
      </button>
    </form>
  );
};

const Rich = ({ message, isLast }: { message: ChatMessage; isLast: boolean }) => {
  const client = useClient();
  const { t } = useTranslator();
  const rich = readRichContent(message);
  const answered = client.getState().answered[message.id] === true;
  const choose = (button: RichButton) => client.submitForm(message.id, button.title);
  switch (rich.kind) {
    case "buttons":
      // Quick replies are offered on the latest message only, and go away once one is chosen.
      if (rich.style === "quick_replies" && (!isLast || answered)) return null;
      return <Buttons buttons={rich.buttons} onChoose={choose} />;
    case "cards":
      return (
        <ul class="cards">
          {rich.cards.map((card) => (
            <li class="card" key={card.title}>
              {card.imageUrl && <img src={card.imageUrl} alt="" loading="lazy" />}
              <div class="card-body">
                <p class="card-title">
                  {card.url ? (
                    <a href={card.url} target="_blank" rel="noopener noreferrer">
                      {card.title}
                    </a>
                  ) : (
                    card.title
                  )}
                </p>
                {card.subtitle && <p class="card-subtitle">{card.subtitle}</p>}
                {card.buttons.length > 0 && <Buttons buttons={card.buttons} onChoose={choose} />}
              </div>
            </li>
          ))}
        </ul>
      );
    case "form":
      if (answered) return <p class="done">✓</p>;
      return (
        <FieldsForm
          fields={rich.fields}
          submitLabel={rich.submitLabel ?? t("submit")}
          onSubmit={(values) => {
            client.submitForm(message.id, formAnswerText(rich.fields, values));
            return { ok: true };
          }}
        />
      );
    case "csat":
      return <Csat message={message} />;
    case "none":
      return null;
  }
};

const Attachments = ({ message }: { message: ChatMessage }) => {
  const { locale } = useTranslator();
  return (
    <>
      {message.attachments.map((attachment) =>
        attachment.contentType.startsWith("image/") ? (
          <a key={attachment.id} class="image" href={attachment.url} target="_blank" rel="noopener noreferrer">
            <img src={attachment.thumbnailUrl ?? attachment.url} alt={attachment.fileName} loading="lazy" />
          </a>
        ) : (
          <a
            key={attachment.id}
            class="file"
            href={attachment.url}
            target="_blank"
            rel="noopener noreferrer"
            download={attachment.fileName}
          >
            <Icon name="file" />
            <span>{attachment.fileName}</span>
            <small>{formatBytes(attachment.byteSize, locale)}</small>
          </a>
        ),
      )}
    </>
  );
};

const LocalState = ({ message }: { message: ChatMessage }) => {
  const translator = useTranslator();
  const { t } = translator;
  const client = useClient();
  const local = message.local;
  if (!local) return null;
  const upload = local.upload;
  return (
    <div class="local">
      {upload?.previewUrl && <img class="preview" src={upload.previewUrl} alt={upload.file.name} />}
      {local.status === "uploading" && upload && (
        <div class="progress">
          <progress max={100} value={upload.progress} aria-label={upload.file.name} />
          <span>{t("uploading", { percent: upload.progress })}</span>
        </div>
      )}
      {local.status === "sending" && <span class="status">{t("sending")}</span>}
      {local.status === "failed" && (
        <span class="status failed" role="alert">
          {describeRefusal(translator, local.error, "failed")}{" "}
          <button type="button" class="link" onClick={() => message.clientId && client.retrySend(message.clientId)}>
            {t("retry")}
          </button>
        </span>
      )}
    </div>
  );
};

const Reactions = ({ message }: { message: ChatMessage }) => {
  const client = useClient();
  const { t } = useTranslator();
  const [isPicking, setPicking] = useState(false);
  const grouped = groupReactions(message.reactions);
  const mine = new Set(
    message.reactions.filter((reaction) => reaction.reactorType === "contact").map((reaction) => reaction.emoji),
  );
  if (message.local || message.greeting || message.deletedAt) return null;
  return (
    <div class="reactions">
      {grouped.map(({ emoji, count }) => (
        <button
          key={emoji}
          type="button"
          class={mine.has(emoji) ? "reaction mine" : "reaction"}
          aria-pressed={mine.has(emoji)}
          onClick={() => void client.react(message.id, emoji, mine.has(emoji))}
        >
          {emoji} {count}
        </button>
      ))}
      {isFromTeam(message) && (
        <button
          type="button"
          class="reaction add"
          aria-expanded={isPicking}
          aria-label={t("emoji")}
          onClick={() => setPicking(!isPicking)}
        >
          +
        </button>
      )}
      {isPicking &&
        QUICK_REACTIONS.map((emoji) => (
          <button
            key={emoji}
            type="button"
            class="reaction"
            onClick={() => {
              setPicking(false);
              void client.react(message.id, emoji, false);
            }}
          >
            {emoji}
          </button>
        ))}
    </div>
  );
};

const MessageItem = ({
  message,
  replyTo,
  isLast,
}: {
  message: ChatMessage;
  replyTo: ChatMessage | undefined;
  isLast: boolean;
}) => {
  const { t, locale } = useTranslator();
  if (message.senderType === "system") {
    return <li class="system">{message.text}</li>;
  }
  const isMine = message.senderType === "contact";
  const time = new Date(message.createdAt).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  const isCsat = message.contentType === "form" && message.content.kind === "csat";
  return (
    <li class={isMine ? "message mine" : "message theirs"} data-seq={message.local ? undefined : message.seq}>
      {message.greeting && (
        <p class="sender">
          {message.greeting.avatarUrl && (
            // A picture that fails to load is dropped; the name beside it remains.
            <img class="avatar" src={message.greeting.avatarUrl} alt="" onError={(event) => event.currentTarget.remove()} />
          )}
          {message.greeting.senderName}
        </p>
      )}
      {!isMine && !message.greeting && message.senderType === "bot" && (
        <p class="sender">{typeof message.content.botName === "string" ? message.content.botName : t("bot")}</p>
      )}
      <div class="bubble">
        {replyTo && <blockquote class="reply">{replyTo.deletedAt ? t("deleted") : replyTo.text.slice(0, 140)}</blockquote>}
        {message.deletedAt ? (
          <p class="deleted">{t("deleted")}</p>
        ) : (
          <>
            {!isCsat && <Text text={message.text} />}
            <Attachments message={message} />
            <Rich message={message} isLast={isLast} />
          </>
        )}
        <LocalState message={message} />
      </div>
      <div class="meta-row">
        <p class="meta">
          <span class="sr">{isMine ? t("you") : ""}</span>
          <time dateTime={message.createdAt}>{time}</time>
          {message.editedAt && !message.deletedAt && <span> · {t("edited")}</span>}
          {isMine && !message.local && message.deliveryStatus === "read" && <span> · {t("seen")}</span>}
          {isMine && !message.local && message.deliveryStatus === "delivered" && <span> · {t("delivered")}</span>}
        </p>
        <Reactions message={message} />
      </div>
    </li>
  );
};

export const MessageList = ({ messages }: { messages: ChatMessage[] }) => {
  const { t, locale } = useTranslator();
  const client = useClient();
  const state = client.getState();
  const end = useRef<HTMLDivElement>(null);
  const last = messages.at(-1);
  useEffect(() => {
    end.current?.scrollIntoView({ block: "end" });
  }, [messages.length, last?.id, state.agentTyping]);
  const byId = new Map(messages.map((message) => [message.id, message]));
  const queue = state.queue;
  return (
    <div class="messages">
      {/* role=log: screen readers announce each new message politely, without moving focus. */}
      <div role="log" aria-live="polite" aria-relevant="additions">
        <ol class="log">
          {messages.map((message) => (
            <MessageItem
              key={message.clientId && message.local ? `local-${message.clientId}` : message.id}
              message={message}
              replyTo={message.replyToId ? byId.get(message.replyToId) : undefined}
              isLast={message === last}
            />
          ))}
        </ol>
      </div>
      {queue?.position != null && (
        <p class="queue" role="status">
          {t("queue", { position: queue.position })}
          {queue.estimatedWaitSeconds != null && ` ${t("wait", { time: formatDuration(queue.estimatedWaitSeconds, locale) })}`}
        </p>
      )}
      <p class="typing" role="status">
        {state.agentTyping ? (state.agentTyping.name ? t("typing", { name: state.agentTyping.name }) : t("someoneTyping")) : ""}
      </p>
      <div ref={end} />
    </div>
  );
};
