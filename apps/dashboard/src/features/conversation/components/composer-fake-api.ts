import {
  type TAgentPresence,
  type TCannedResponse,
  type TConversation,
  type TMessage,
  type TSendMessageRequest,
  ZSendMessageRequest,
} from "@parley/shared";
import { vi } from "vitest";
import { TEST_USER_ID } from "./test-providers";

/** A conversation with Ada, the workspace's canned responses and members, and a fake of the API the composer talks to. */

const NOW = "2026-01-05T10:00:00.000Z";
export const CONVERSATION_ID = "00000000-0000-4000-8000-00000000c001";
export const GRACE_ID = "00000000-0000-4000-8000-000000000002";
export const GREG_ID = "00000000-0000-4000-8000-000000000003";

export const conversation: TConversation = {
  id: CONVERSATION_ID,
  number: 42,
  inbox: { id: "00000000-0000-4000-8000-00000000b001", name: "Website", type: "website" },
  contact: {
    id: "00000000-0000-4000-8000-00000000d001",
    name: "Ada Lovelace",
    email: "ada@example.test",
    phone: null,
    avatarUrl: null,
  },
  status: "open",
  priority: "medium",
  assigneeId: TEST_USER_ID,
  teamId: null,
  labels: [],
  snoozedUntil: null,
  isMissed: false,
  isArchived: false,
  waitingSince: null,
  lastMessageAt: NOW,
  lastMessageSeq: 3,
  lastActivityAt: NOW,
  lastMessage: { text: "Where is my parcel?", senderType: "contact", contentType: "text" },
  unreadCount: 0,
  createdAt: NOW,
};

const cannedResponse = (id: string, shortcut: string, content: string): TCannedResponse => ({
  id,
  scope: "shared",
  ownerUserId: null,
  shortcut,
  content,
  attachmentIds: [],
  createdAt: NOW,
  updatedAt: NOW,
});
export const REFUND = cannedResponse(
  "00000000-0000-4000-8000-00000000e001",
  "refund",
  "Hi {{contact.name}}, your refund is on its way.",
);
export const HOURS = cannedResponse("00000000-0000-4000-8000-00000000e002", "hours", "We are open 9 to 5.");
/** What the server answers for each canned response in this conversation, its variables filled in. */
const RENDERED: Record<string, string> = {
  [REFUND.id]: "Hi Ada Lovelace, your refund is on its way.",
  [HOURS.id]: "We are open 9 to 5.",
};

const agent = (userId: string, name: string): TAgentPresence => ({
  userId,
  name,
  avatarUrl: null,
  status: "online",
  maxConcurrent: null,
  connectedSockets: 1,
  lastAssignedAt: null,
  updatedAt: NOW,
});
export const AGENTS = [agent(TEST_USER_ID, "Alan Turing"), agent(GRACE_ID, "Grace Hopper"), agent(GREG_ID, "Greg House")];

export const contactMessage: TMessage = {
  id: "00000000-0000-4000-8000-00000000f001",
  seq: 3,
  conversationId: CONVERSATION_ID,
  senderType: "contact",
  senderId: conversation.contact.id,
  contentType: "text",
  text: "Where is my parcel?",
  content: {},
  isPrivate: false,
  replyToId: null,
  clientId: null,
  deliveryStatus: "delivered",
  deliveryError: null,
  attachments: [],
  reactions: [],
  editedAt: null,
  deletedAt: null,
  createdAt: NOW,
};

// The fake server's upload rules, standing in for the server's size limit and file-type allowlist.
export const FAKE_MAX_UPLOAD_BYTES = 1024 * 1024;
const REFUSED_EXTENSIONS = [".exe", ".sh"];

type RecordedRequest = { method: string; path: string; body: unknown };

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const refuse = (status: number, code: string, message: string) => answer(status, { error: { code, message } });

const storedMessage = (request: TSendMessageRequest, seq: number): TMessage => ({
  ...contactMessage,
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
  seq,
  senderType: "agent",
  senderId: TEST_USER_ID,
  text: request.text,
  content: request.content,
  isPrivate: request.isPrivate,
  replyToId: request.replyToId,
  clientId: request.clientId,
  deliveryStatus: "sent",
});

/** Stands in for the API at the network boundary: records every request and answers like the server would. */
export const startFakeApi = () => {
  const requests: RecordedRequest[] = [];
  let nextSeq = 100;
  // Uploads of files named "slow…" wait until the test lets them finish.
  let finishSlowUploads = () => {};
  const slowUploads = new Promise<void>((resolve) => {
    finishSlowUploads = resolve;
  });
  const handle = async (method: string, path: string, body: unknown): Promise<Response> => {
    if (method === "POST" && path === `/api/v1/conversations/${CONVERSATION_ID}/messages`) {
      const parsed = ZSendMessageRequest.safeParse(body);
      if (!parsed.success) return refuse(400, "validation_failed", "The message does not match the schema.");
      nextSeq += 1;
      return answer(200, storedMessage(parsed.data, nextSeq));
    }
    const render = /^\/api\/v1\/canned-responses\/([^/]+)\/render$/.exec(path);
    if (method === "POST" && render) {
      const text = RENDERED[decodeURIComponent(render[1] ?? "")];
      if (text === undefined) return refuse(404, "not_found", "No such canned response.");
      return answer(200, { text, missing: [], attachmentIds: [] });
    }
    if (method === "POST" && path === "/api/v1/attachments") {
      const file = body instanceof FormData ? body.get("file") : null;
      if (!(file instanceof File)) return refuse(400, "bad_request", 'Attach one file in the form field "file".');
      if (file.size > FAKE_MAX_UPLOAD_BYTES) return refuse(413, "payload_too_large", "Files may be at most 1 MB.");
      if (REFUSED_EXTENSIONS.some((extension) => file.name.endsWith(extension)))
        return refuse(415, "unsupported_media_type", "This kind of file cannot be sent.");
      if (file.name.startsWith("slow")) await slowUploads;
      nextSeq += 1;
      return answer(200, {
        id: `00000000-0000-4000-8000-a${String(nextSeq).padStart(11, "0")}`,
        fileName: file.name,
        contentType: file.type,
        byteSize: file.size,
        width: null,
        height: null,
        url: `/api/v1/attachments/${nextSeq}`,
        thumbnailUrl: null,
      });
    }
    return refuse(404, "route_not_found", `${method} ${path} is not faked.`);
  };
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = init?.method ?? "GET";
    const path = String(input);
    const body: unknown = typeof init?.body === "string" ? JSON.parse(init.body) : init?.body;
    requests.push({ method, path, body });
    return handle(method, path, body);
  });
  const sentMessages = () =>
    requests
      .filter((request) => request.method === "POST" && request.path.endsWith("/messages"))
      .map((request) => ZSendMessageRequest.parse(request.body));
  return { requests, sentMessages, finishSlowUploads };
};
