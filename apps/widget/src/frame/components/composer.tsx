import { useEffect, useRef, useState } from "preact/hooks";
import { EMOJI } from "../emoji.ts";
import { ACCEPT_ATTRIBUTE, checkUpload, formatBytes, isImageFile, MAX_UPLOAD_BYTES, type UploadProblem } from "../upload.ts";
import { useClient, useTranslator } from "./context.ts";
import { Icon } from "./icons.tsx";

const EmojiPicker = ({ onPick, onClose }: { onPick: (emoji: string) => void; onClose: () => void }) => {
  const { t } = useTranslator();
  const grid = useRef<HTMLDivElement>(null);
  useEffect(() => {
    grid.current?.querySelector("button")?.focus();
  }, []);
  return (
    <div
      class="emoji-picker"
      role="dialog"
      aria-label={t("emoji")}
      ref={grid}
      onKeyDown={(event) => {
        // Escape closes the picker only, not the whole chat.
        if (event.key === "Escape") {
          event.stopPropagation();
          onClose();
        }
      }}
    >
      {EMOJI.map((emoji) => (
        <button key={emoji} type="button" class="emoji" onClick={() => onPick(emoji)}>
          {emoji}
        </button>
      ))}
    </div>
  );
};

export const Composer = () => {
  const { t, locale } = useTranslator();
  const client = useClient();
  const [text, setText] = useState("");
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [isPicking, setPicking] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const describe = (name: string, found: UploadProblem) =>
    found.kind === "too_big"
      ? t("tooBig", { name, size: formatBytes(found.limitBytes, locale) })
      : found.kind === "type"
        ? t("badType", { name })
        : t("emptyFile", { name });

  const chooseFile = (chosen: File | null) => {
    if (preview) URL.revokeObjectURL(preview);
    setPreview(null);
    setFile(null);
    setProblem(null);
    if (!chosen) return;
    const found = checkUpload(chosen, MAX_UPLOAD_BYTES);
    if (found) {
      setProblem(describe(chosen.name, found));
      return;
    }
    setFile(chosen);
    if (isImageFile(chosen.name)) setPreview(URL.createObjectURL(chosen));
  };

  const send = () => {
    if (!text.trim() && !file) return;
    const found = client.send(text, file);
    if (found && file) return setProblem(describe(file.name, found));
    if (preview) URL.revokeObjectURL(preview);
    setText("");
    setFile(null);
    setPreview(null);
    setProblem(null);
    if (fileInput.current) fileInput.current.value = "";
    input.current?.focus();
  };

  const insert = (emoji: string) => {
    const field = input.current;
    const start = field?.selectionStart ?? text.length;
    const end = field?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + emoji + text.slice(end));
    setPicking(false);
    requestAnimationFrame(() => {
      field?.focus();
      field?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  return (
    <form
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      {problem && (
        <p class="form-error" role="alert">
          {problem}
        </p>
      )}
      {file && (
        <div class="attachment-preview">
          {preview ? <img src={preview} alt={file.name} /> : <Icon name="file" />}
          <span>
            {file.name} <small>{formatBytes(file.size, locale)}</small>
          </span>
          <button type="button" class="icon-button" aria-label={t("removeFile")} onClick={() => chooseFile(null)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      )}
      {isPicking && <EmojiPicker onPick={insert} onClose={() => setPicking(false)} />}
      <div class="composer-row">
        <textarea
          ref={input}
          rows={1}
          value={text}
          placeholder={t("placeholder")}
          aria-label={t("placeholder")}
          maxLength={10_000}
          onInput={(event) => {
            setText(event.currentTarget.value);
            client.setTyping(event.currentTarget.value.length > 0);
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              send();
            }
          }}
        />
        <button
          type="button"
          class="icon-button"
          aria-label={t("emoji")}
          aria-expanded={isPicking}
          onClick={() => setPicking(!isPicking)}
        >
          <Icon name="emoji" />
        </button>
        <button type="button" class="icon-button" aria-label={t("attach")} onClick={() => fileInput.current?.click()}>
          <Icon name="attach" />
        </button>
        <input
          ref={fileInput}
          type="file"
          class="sr"
          tabIndex={-1}
          aria-hidden="true"
          accept={ACCEPT_ATTRIBUTE}
          onChange={(event) => chooseFile(event.currentTarget.files?.[0] ?? null)}
        />
        <button type="submit" class="icon-button send" aria-label={t("send")} disabled={!text.trim() && !file}>
          <Icon name="send" />
        </button>
      </div>
    </form>
  );
};
