// @vitest-environment happy-dom
import type { TMessage } from "@parley/shared";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { useState } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { directoryKeys } from "../../inbox/api/directory-api";
import { useMessageActions } from "../hooks/use-message-actions";
import { Composer } from "./composer";
import {
  AGENTS,
  CONVERSATION_ID,
  contactMessage,
  conversation,
  FAKE_MAX_UPLOAD_BYTES,
  GRACE_ID,
  HOURS,
  REFUND,
  startFakeApi,
} from "./composer-fake-api";
import { renderWithProviders, TEST_USER_ID } from "./test-providers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The composer wired to the real send path, as the conversation pane wires it. */
const ComposerUnderTest = ({ initialReplyTo = null }: { initialReplyTo?: TMessage | null }) => {
  const actions = useMessageActions(CONVERSATION_ID);
  const [replyTo, setReplyTo] = useState<TMessage | null>(initialReplyTo);
  return (
    <Composer
      conversation={conversation}
      myUserId={TEST_USER_ID}
      replyTo={replyTo}
      onCancelReply={() => setReplyTo(null)}
      onSend={actions.send}
    />
  );
};

const renderComposer = (props: { initialReplyTo?: TMessage | null } = {}) =>
  renderWithProviders(<ComposerUnderTest {...props} />, {
    seed: [
      [directoryKeys.canned, { items: [REFUND, HOURS] }],
      [directoryKeys.presence, { items: AGENTS }],
    ],
  });

const replyBox = () => screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Reply to the contact" });
const noteBox = () => screen.getByRole<HTMLTextAreaElement>("textbox", { name: "Private note for your team" });

/** Types by replacing the value, as a browser's input event does, with the caret at the end. */
const typeInto = (box: HTMLTextAreaElement, value: string) => {
  fireEvent.change(box, { target: { value, selectionStart: value.length, selectionEnd: value.length } });
};

const switchToNote = () => fireEvent.click(screen.getByRole("radio", { name: "Private note" }));

let api: ReturnType<typeof startFakeApi>;
beforeEach(() => {
  api = startFakeApi();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("composer: sending", () => {
  it("sends the typed reply with a fresh clientId on Enter and empties the box", async () => {
    renderComposer();
    typeInto(replyBox(), "  Your parcel left the warehouse today.  ");

    const isDefaultAllowed = fireEvent.keyDown(replyBox(), { key: "Enter" });

    expect(isDefaultAllowed).toBe(false);
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    const [sent] = api.sentMessages();
    expect(sent).toMatchObject({
      text: "Your parcel left the warehouse today.",
      isPrivate: false,
      replyToId: null,
      attachmentIds: [],
    });
    expect(sent?.content).toEqual({});
    expect(sent?.clientId).toMatch(UUID);
    expect(replyBox().value).toBe("");
  });

  it("sends with the Send button too, each message under its own clientId", async () => {
    renderComposer();
    typeInto(replyBox(), "First");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    typeInto(replyBox(), "Second");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));

    await waitFor(() => expect(api.sentMessages()).toHaveLength(2));
    const [first, second] = api.sentMessages();
    expect([first?.text, second?.text]).toEqual(["First", "Second"]);
    expect(first?.clientId).not.toBe(second?.clientId);
  });

  it("leaves Shift+Enter to the browser as a new line and sends the lines together", async () => {
    renderComposer();
    typeInto(replyBox(), "Line one");

    const isDefaultAllowed = fireEvent.keyDown(replyBox(), { key: "Enter", shiftKey: true });

    expect(isDefaultAllowed).toBe(true);
    expect(replyBox().value).toBe("Line one");
    typeInto(replyBox(), "Line one\nLine two");
    fireEvent.keyDown(replyBox(), { key: "Enter" });
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]?.text).toBe("Line one\nLine two");
  });

  it("does not send an empty or blank message", async () => {
    renderComposer();
    const send = screen.getByRole("button", { name: "Send" });
    expect(send).toHaveProperty("disabled", true);

    fireEvent.keyDown(replyBox(), { key: "Enter" });
    typeInto(replyBox(), "   \n  ");
    fireEvent.keyDown(replyBox(), { key: "Enter" });
    fireEvent.click(send);

    expect(send).toHaveProperty("disabled", true);
    expect(replyBox().value).toBe("   \n  ");
    // Give a wrongly started send the chance to reach the network before asserting it did not.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(api.sentMessages()).toEqual([]);
  });
});

describe("composer: canned responses", () => {
  it('lists the canned responses matching "/" and a query', () => {
    renderComposer();
    typeInto(replyBox(), "/ref");

    const list = screen.getByRole("listbox", { name: "Canned responses" });
    const options = within(list).getAllByRole("option");
    expect(options).toHaveLength(1);
    expect(options[0]?.textContent).toContain("/refund");
    expect(options[0]?.textContent).toContain("Hi {{contact.name}}, your refund is on its way.");
  });

  it("inserts the chosen response with its variables filled in for this conversation", async () => {
    renderComposer();
    typeInto(replyBox(), "/ref");

    fireEvent.click(screen.getByRole("option", { name: /\/refund/ }));

    await waitFor(() => expect(replyBox().value).toBe("Hi Ada Lovelace, your refund is on its way."));
    expect(api.requests).toContainEqual({
      method: "POST",
      path: `/api/v1/canned-responses/${REFUND.id}/render`,
      body: { conversationId: CONVERSATION_ID },
    });
    expect(screen.queryByRole("listbox")).toBeNull();
    expect(api.sentMessages()).toEqual([]);
  });

  it("picks the highlighted response with the keyboard instead of sending", async () => {
    renderComposer();
    typeInto(replyBox(), "/");
    expect(screen.getAllByRole("option")).toHaveLength(2);

    fireEvent.keyDown(replyBox(), { key: "ArrowDown" });
    expect(screen.getByRole("option", { name: /\/hours/ }).getAttribute("aria-selected")).toBe("true");
    fireEvent.keyDown(replyBox(), { key: "Enter" });

    await waitFor(() => expect(replyBox().value).toBe("We are open 9 to 5."));
    expect(api.sentMessages()).toEqual([]);
  });

  it("says so when no canned response matches", () => {
    renderComposer();
    typeInto(replyBox(), "/nothing-like-this");

    expect(screen.queryByRole("listbox")).toBeNull();
    expect(screen.getByText("No canned response matches.")).toBeTruthy();
  });
});

describe("composer: private notes and mentions", () => {
  it("switching to a private note changes the box, the hint and the button", () => {
    renderComposer();
    expect(replyBox().getAttribute("placeholder")).toBe("Write a reply…");
    expect(screen.getByText("Enter sends · Shift+Enter for a new line · / for canned responses")).toBeTruthy();

    switchToNote();

    expect(screen.queryByRole("textbox", { name: "Reply to the contact" })).toBeNull();
    expect(noteBox().getAttribute("placeholder")).toBe("Write a private note… @ to mention");
    expect(screen.getByText("Only your team sees notes · @ to mention someone")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Add note" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send" })).toBeNull();

    fireEvent.click(screen.getByRole("radio", { name: "Reply" }));
    expect(replyBox().getAttribute("placeholder")).toBe("Write a reply…");
  });

  it('suggests other members after "@" and sends the note with the chosen mention', async () => {
    renderComposer();
    switchToNote();
    typeInto(noteBox(), "Can you check this @gr");

    const list = screen.getByRole("listbox", { name: "Members to mention" });
    expect(
      within(list)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["Grace HopperOnline", "Greg HouseOnline"]);
    fireEvent.click(within(list).getByRole("option", { name: /Grace Hopper/ }));
    expect(noteBox().value).toBe("Can you check this @Grace Hopper ");

    fireEvent.click(screen.getByRole("button", { name: "Add note" }));

    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]).toMatchObject({
      text: "Can you check this @Grace Hopper",
      isPrivate: true,
      content: { mentions: [GRACE_ID] },
    });
  });

  it("does not offer the writer to themself, nor mentions in a reply to the contact", () => {
    renderComposer();
    typeInto(replyBox(), "Thanks @gr");
    expect(screen.queryByRole("listbox")).toBeNull();

    switchToNote();
    typeInto(noteBox(), "Note for @alan");
    expect(screen.queryByRole("listbox")).toBeNull();
  });

  it("drops a mention whose name was deleted from the note before sending", async () => {
    renderComposer();
    switchToNote();
    typeInto(noteBox(), "@gre");
    fireEvent.click(screen.getByRole("option", { name: /Greg House/ }));
    typeInto(noteBox(), "Never mind, solved it");

    fireEvent.keyDown(noteBox(), { key: "Enter" });

    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]).toMatchObject({ text: "Never mind, solved it", isPrivate: true });
    expect(api.sentMessages()[0]?.content).toEqual({});
  });
});

describe("composer: emoji", () => {
  it("inserts the picked emoji at the caret", async () => {
    renderComposer();
    typeInto(replyBox(), "Thanks ");

    fireEvent.click(screen.getByRole("button", { name: "Insert emoji" }));
    fireEvent.click(await screen.findByRole("button", { name: "🎉" }));

    expect(replyBox().value).toBe("Thanks 🎉");
    expect(screen.queryByRole("button", { name: "🎉" })).toBeNull();
  });
});

describe("composer: attachments", () => {
  const attachButtonInput = (container: HTMLElement) => {
    const input = container.querySelector<HTMLInputElement>('input[type="file"]');
    if (!input) throw new Error("The attach button has no file input.");
    return input;
  };

  it("uploads a chosen file and sends its id with the message", async () => {
    const { container } = renderComposer();
    const photo = new File(["fake png bytes"], "photo.png", { type: "image/png" });

    fireEvent.change(attachButtonInput(container), { target: { files: [photo] } });

    const badge = await screen.findByTestId("draft-attachment");
    await waitFor(() => expect(badge.getAttribute("data-state")).toBe("done"));
    expect(badge.textContent).toContain("photo.png");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]?.attachmentIds).toEqual([expect.stringMatching(/^00000000-0000-4000-8000-a/)]);
    expect(screen.queryByTestId("draft-attachment")).toBeNull();
  });

  it("waits for an upload to finish before the message can be sent", async () => {
    const { container } = renderComposer();
    typeInto(replyBox(), "The invoice you asked for");
    const invoice = new File(["%PDF-1.7"], "slow-invoice.pdf", { type: "application/pdf" });

    fireEvent.change(attachButtonInput(container), { target: { files: [invoice] } });

    const badge = await screen.findByTestId("draft-attachment");
    expect(badge.getAttribute("data-state")).toBe("uploading");
    expect(screen.getByRole("button", { name: "Send" })).toHaveProperty("disabled", true);
    fireEvent.keyDown(replyBox(), { key: "Enter" });
    expect(replyBox().value).toBe("The invoice you asked for");

    api.finishSlowUploads();
    await waitFor(() => expect(badge.getAttribute("data-state")).toBe("done"));
    fireEvent.keyDown(replyBox(), { key: "Enter" });
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]?.attachmentIds).toHaveLength(1);
  });

  it("shows a refused file type as failed and never sends it", async () => {
    const { container } = renderComposer();
    const program = new File(["MZ"], "setup.exe", { type: "application/octet-stream" });

    fireEvent.change(attachButtonInput(container), { target: { files: [program] } });

    const badge = await screen.findByTestId("draft-attachment");
    await waitFor(() => expect(badge.getAttribute("data-state")).toBe("failed"));
    expect(badge.textContent).toContain("setup.exe could not be uploaded");
    expect(badge.getAttribute("title")).toBe("This kind of file is not accepted.");
    expect(screen.getByRole("button", { name: "Send" })).toHaveProperty("disabled", true);

    typeInto(replyBox(), "Here is the installer");
    fireEvent.click(screen.getByRole("button", { name: "Send" }));
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]?.attachmentIds).toEqual([]);
  });

  it("shows a dropped file that is too large as failed, and it can be removed", async () => {
    renderComposer();
    const video = new File([new Uint8Array(FAKE_MAX_UPLOAD_BYTES + 1)], "holiday.mp4", { type: "video/mp4" });

    fireEvent.drop(screen.getByTestId("composer"), { dataTransfer: { files: [video], types: ["Files"] } });

    const badge = await screen.findByTestId("draft-attachment");
    await waitFor(() => expect(badge.getAttribute("data-state")).toBe("failed"));
    expect(badge.textContent).toContain("holiday.mp4 could not be uploaded");
    expect(badge.getAttribute("title")).toBe("This is larger than the server accepts.");

    fireEvent.click(screen.getByRole("button", { name: "Remove holiday.mp4" }));
    expect(screen.queryByTestId("draft-attachment")).toBeNull();
  });

  it("uploads files pasted into the box", async () => {
    renderComposer();
    const screenshot = new File(["fake png bytes"], "screenshot.png", { type: "image/png" });

    fireEvent.paste(replyBox(), { clipboardData: { files: [screenshot] } });

    const badge = await screen.findByTestId("draft-attachment");
    await waitFor(() => expect(badge.getAttribute("data-state")).toBe("done"));
    expect(badge.textContent).toContain("screenshot.png");
    expect(api.requests.filter((request) => request.path === "/api/v1/attachments")).toHaveLength(1);
  });
});

describe("composer: replying to a message", () => {
  it("quotes the message and sends the reply linked to it, then forgets it", async () => {
    renderComposer({ initialReplyTo: contactMessage });
    expect(screen.getByTestId("reply-to").textContent).toContain("Replying to: Where is my parcel?");

    typeInto(replyBox(), "It arrives tomorrow.");
    fireEvent.keyDown(replyBox(), { key: "Enter" });

    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]).toMatchObject({ text: "It arrives tomorrow.", replyToId: contactMessage.id });
    expect(screen.queryByTestId("reply-to")).toBeNull();
  });

  it("drops the quote when the agent cancels it", async () => {
    renderComposer({ initialReplyTo: contactMessage });

    fireEvent.click(screen.getByRole("button", { name: "Stop replying to this message" }));

    expect(screen.queryByTestId("reply-to")).toBeNull();
    typeInto(replyBox(), "General answer");
    fireEvent.keyDown(replyBox(), { key: "Enter" });
    await waitFor(() => expect(api.sentMessages()).toHaveLength(1));
    expect(api.sentMessages()[0]?.replyToId).toBeNull();
  });
});
