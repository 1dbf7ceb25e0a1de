import type { TConversation, TConversationPage, TMessage, TMessagePage } from "@parley/shared";
import { type InfiniteData, InfiniteQueryObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { applyMessage, type MessageHistory, messageKeys } from "../../conversation/api/messages-api";
import { applyConversationChange, type ConversationListParams, conversationKeys, matchesListFilter } from "./conversations-api";

const ME = "00000000-0000-4000-8000-000000000001";
const OTHER = "00000000-0000-4000-8000-000000000002";
const INBOX = "00000000-0000-4000-8000-0000000000aa";

let counter = 0;
const conversation = (overrides: Partial<TConversation> = {}): TConversation => {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    number: counter,
    inbox: { id: INBOX, name: "Website", type: "website" },
    contact: {
      id: `10000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
      name: null,
      email: null,
      phone: null,
      avatarUrl: null,
    },
    status: "open",
    priority: "medium",
    assigneeId: null,
    teamId: null,
    labels: [],
    snoozedUntil: null,
    isMissed: false,
    isArchived: false,
    waitingSince: null,
    lastMessageAt: null,
    lastMessageSeq: 1,
    lastActivityAt: new Date(Date.UTC(2026, 0, 1, 12, counter)).toISOString(),
    lastMessage: null,
    unreadCount: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, counter)).toISOString(),
    ...overrides,
  };
};

type ListData = InfiniteData<TConversationPage, string | null>;
const seedList = (
  queryClient: QueryClient,
  params: ConversationListParams,
  pages: TConversation[][],
  nextCursor: string | null = null,
) => {
  queryClient.setQueryData<ListData>(conversationKeys.list(params), {
    pages: pages.map((items, index) => ({ items, nextCursor: index === pages.length - 1 ? nextCursor : `cursor-${index}` })),
    pageParams: pages.map((_, index) => (index === 0 ? null : `cursor-${index - 1}`)),
  });
};
const idsOf = (queryClient: QueryClient, params: ConversationListParams) =>
  queryClient.getQueryData<ListData>(conversationKeys.list(params))?.pages.flatMap((page) => page.items.map((item) => item.id));

const open: ConversationListParams = { filter: { status: ["open", "pending"] }, sort: "latest" };
const mine: ConversationListParams = { filter: { status: ["open", "pending"], view: "mine" }, sort: "latest" };

describe("conversation lists in the cache follow socket events", () => {
  it("moves a conversation with new activity to the top of a latest-first list", () => {
    const queryClient = new QueryClient();
    const [older, middle, newest] = [conversation(), conversation(), conversation()];
    if (!older || !middle || !newest) throw new Error("fixtures");
    seedList(queryClient, open, [[newest, middle, older]]);
    applyConversationChange(
      queryClient,
      { ...older, lastActivityAt: new Date(Date.UTC(2026, 0, 2)).toISOString(), lastMessageSeq: 2 },
      { userId: ME },
    );
    expect(idsOf(queryClient, open)).toEqual([older.id, newest.id, middle.id]);
  });

  it("adds a new matching conversation, and leaves one that does not match out", () => {
    const queryClient = new QueryClient();
    const existing = conversation();
    seedList(queryClient, mine, [[existing]]);
    seedList(queryClient, open, [[existing]]);
    const assignedToOther = conversation({ assigneeId: OTHER, lastActivityAt: new Date(Date.UTC(2026, 1, 1)).toISOString() });
    applyConversationChange(queryClient, assignedToOther, { userId: ME });
    expect(idsOf(queryClient, open)).toEqual([assignedToOther.id, existing.id]);
    expect(idsOf(queryClient, mine)).toEqual([existing.id]);
  });

  it("removes a conversation that stops matching (resolved, or assigned away)", () => {
    const queryClient = new QueryClient();
    const target = conversation({ assigneeId: ME });
    seedList(queryClient, mine, [[target]]);
    applyConversationChange(queryClient, { ...target, assigneeId: OTHER }, { userId: ME });
    expect(idsOf(queryClient, mine)).toEqual([]);
  });

  it("does not put a conversation past the loaded pages when more pages follow", () => {
    const queryClient = new QueryClient();
    const [a, b] = [conversation(), conversation()];
    if (!a || !b) throw new Error("fixtures");
    seedList(queryClient, open, [[b, a]], "more");
    const ancient = conversation({ lastActivityAt: new Date(Date.UTC(2020, 0, 1)).toISOString() });
    applyConversationChange(queryClient, ancient, { userId: ME });
    expect(idsOf(queryClient, open)).toEqual([b.id, a.id]);
  });

  it("keeps this member's unread count when a broadcast carries no new message, unless it is their own answer", () => {
    const queryClient = new QueryClient();
    const read = conversation({ unreadCount: 0, lastMessageSeq: 5 });
    seedList(queryClient, open, [[read]]);
    applyConversationChange(queryClient, { ...read, priority: "high", unreadCount: 3 }, { userId: ME });
    expect(queryClient.getQueryData<TConversation>(conversationKeys.detail(read.id))).toMatchObject({
      priority: "high",
      unreadCount: 0,
    });
    applyConversationChange(queryClient, { ...read, unreadCount: 3 }, { userId: ME, isForViewer: true });
    expect(queryClient.getQueryData<TConversation>(conversationKeys.detail(read.id))?.unreadCount).toBe(3);
    applyConversationChange(queryClient, { ...read, unreadCount: 4, lastMessageSeq: 6 }, { userId: ME, isOpenHere: true });
    expect(queryClient.getQueryData<TConversation>(conversationKeys.detail(read.id))?.unreadCount).toBe(0);
  });

  it("matches the filters the dashboard can judge and defers mentions to the server", () => {
    const item = conversation({ labels: ["vip"], priority: "urgent", unreadCount: 2 });
    expect(matchesListFilter(item, { label: "vip", priority: ["urgent"], unread: true }, ME)).toBe(true);
    expect(matchesListFilter(item, { label: "billing" }, ME)).toBe(false);
    expect(matchesListFilter(item, { view: "unassigned" }, ME)).toBe(true);
    expect(matchesListFilter(item, { archived: true }, ME)).toBe(false);
    expect(matchesListFilter(item, { view: "mentions" }, ME)).toBeUndefined();
  });
});

const message = (seq: number, overrides: Partial<TMessage> = {}): TMessage => ({
  id: `20000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
  seq,
  conversationId: "30000000-0000-4000-8000-000000000001",
  senderType: "contact",
  senderId: null,
  contentType: "text",
  text: `message ${seq}`,
  content: {},
  isPrivate: false,
  replyToId: null,
  clientId: null,
  deliveryStatus: "sent",
  deliveryError: null,
  attachments: [],
  reactions: [],
  editedAt: null,
  deletedAt: null,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
  ...overrides,
});

const seedHistory = (queryClient: QueryClient, anchor: string | null, page: TMessagePage) =>
  queryClient.setQueryData<MessageHistory>(messageKeys.history("30000000-0000-4000-8000-000000000001", anchor), {
    pages: [page],
    pageParams: [{}],
  });
const seqsOf = (queryClient: QueryClient, anchor: string | null) =>
  queryClient
    .getQueryData<MessageHistory>(messageKeys.history("30000000-0000-4000-8000-000000000001", anchor))
    ?.pages.flatMap((page) => page.items.map((item) => item.seq));

describe("message history windows in the cache", () => {
  it("appends a new message to the live window once, replacing the optimistic copy with the same clientId", () => {
    const queryClient = new QueryClient();
    seedHistory(queryClient, null, { items: [message(10), message(11)], hasOlder: true, hasNewer: false });
    applyMessage(queryClient, message(12, { clientId: "c-1" }), { isNew: true });
    applyMessage(queryClient, message(12, { clientId: "c-1", deliveryStatus: "delivered" }), { isNew: true });
    expect(seqsOf(queryClient, null)).toEqual([10, 11, 12]);
  });

  it("keeps a refused delivery that arrived before the sender's ack: a creation never overwrites an update", () => {
    const queryClient = new QueryClient();
    // The sender's copy waits in the outbox, not in the history, until the ack.
    seedHistory(queryClient, null, { items: [message(10)], hasOlder: false, hasNewer: false });
    const failed = message(12, { clientId: "c-2", deliveryStatus: "failed", deliveryError: "customer unknown" });
    applyMessage(queryClient, failed, { isNew: false });
    // The ack and message.created carry the message as it was stored, before the send job ran.
    applyMessage(queryClient, message(12, { clientId: "c-2" }), { isNew: true });
    const shown = queryClient.getQueryData<MessageHistory>(messageKeys.history("30000000-0000-4000-8000-000000000001", null));
    expect(shown?.pages[0]?.items.map((item) => [item.seq, item.deliveryStatus])).toEqual([
      [10, "sent"],
      [12, "failed"],
    ]);
    // A later update (the retry) still applies.
    applyMessage(queryClient, message(12, { clientId: "c-2", deliveryStatus: "sent" }), { isNew: false });
    expect(
      queryClient.getQueryData<MessageHistory>(messageKeys.history("30000000-0000-4000-8000-000000000001", null))?.pages[0]
        ?.items[1]?.deliveryStatus,
    ).toBe("sent");
  });

  it("asks again for a window still loading when a message arrives, so an older answer cannot lose it", async () => {
    const queryClient = new QueryClient();
    const key = messageKeys.history("30000000-0000-4000-8000-000000000001", null);
    // The server as the window sees it: the first request left before message 12 was stored.
    let stored = [message(10), message(11)];
    let requests = 0;
    let answerFirst: (() => void) | undefined;
    // An open conversation: the window has an observer, as useMessageHistory gives it.
    const observer = new InfiniteQueryObserver<TMessagePage, Error, MessageHistory, typeof key, object>(queryClient, {
      queryKey: key,
      initialPageParam: {},
      getNextPageParam: () => undefined,
      queryFn: async (): Promise<TMessagePage> => {
        requests += 1;
        const snapshot = [...stored];
        if (requests === 1) await new Promise<void>((resolve) => (answerFirst = resolve));
        return { items: snapshot, hasOlder: false, hasNewer: false };
      },
    });
    const unsubscribe = observer.subscribe(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
    stored = [...stored, message(12)];
    // The sender's ack arrives while the first page is still on its way.
    applyMessage(queryClient, message(12), { isNew: true });
    answerFirst?.();
    await vi.waitFor(() => {
      expect(requests).toBe(2);
      expect(observer.getCurrentResult().isFetching).toBe(false);
    });
    unsubscribe();
    expect(seqsOf(queryClient, null)).toEqual([10, 11, 12]);
  });

  it("leaves a window opened on old history alone, and ignores changes to messages it does not show", () => {
    const queryClient = new QueryClient();
    const around = message(3);
    seedHistory(queryClient, around.id, { items: [message(2), around, message(4)], hasOlder: true, hasNewer: true });
    seedHistory(queryClient, null, { items: [message(50), message(51)], hasOlder: true, hasNewer: false });
    applyMessage(queryClient, message(52), { isNew: true });
    // A read receipt on message 1, which neither window shows, must not slot it into the live one.
    applyMessage(queryClient, message(1, { deliveryStatus: "read" }), { isNew: false });
    expect(seqsOf(queryClient, around.id)).toEqual([2, 3, 4]);
    expect(seqsOf(queryClient, null)).toEqual([50, 51, 52]);
    applyMessage(queryClient, message(3, { text: "edited" }), { isNew: false });
    expect(
      queryClient.getQueryData<MessageHistory>(messageKeys.history("30000000-0000-4000-8000-000000000001", around.id))?.pages[0]
        ?.items[1]?.text,
    ).toBe("edited");
  });
});
