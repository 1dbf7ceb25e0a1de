import { z } from "zod";

/** Request and response schemas of routing: assignment, presence and the visitor queue. */

export const ZAssignConversationRequest = z
  .strictObject({
    /** An agent to assign; null unassigns. Omitted leaves the assignee as it is. */
    assigneeId: z.uuid({ message: "must be a member's user id" }).nullable().optional(),
    /** A team to hand the conversation to; null clears it. Omitted leaves the team as it is. */
    teamId: z.uuid({ message: "must be a team id" }).nullable().optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((body) => body.assigneeId !== undefined || body.teamId !== undefined, {
    message: "Give an assigneeId or a teamId (null to clear it).",
    path: ["assigneeId"],
  });
export type TAssignConversationRequest = z.infer<typeof ZAssignConversationRequest>;

export const ZAssignmentKind = z.enum(["manual", "transfer", "auto", "unassigned", "claim", "reply"]);

export const ZAssignmentEntry = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  kind: z.string(),
  fromUserId: z.uuid().nullable(),
  toUserId: z.uuid().nullable(),
  fromTeamId: z.uuid().nullable(),
  toTeamId: z.uuid().nullable(),
  reason: z.string().nullable(),
  byUserId: z.uuid().nullable(),
  createdAt: z.iso.datetime(),
});
export type TAssignmentEntry = z.infer<typeof ZAssignmentEntry>;

export const ZAssignmentHistory = z.object({ items: z.array(ZAssignmentEntry) });

export const ZPresenceStatus = z.enum(["online", "away", "busy", "offline"]);
export type TPresenceStatus = z.infer<typeof ZPresenceStatus>;

export const ZSetPresenceRequest = z.strictObject({
  status: ZPresenceStatus,
  /** Open conversations this agent takes at most across inboxes; null = only the inbox limits. */
  maxConcurrent: z.number().int().min(1).max(1_000).nullable().optional(),
});
export type TSetPresenceRequest = z.infer<typeof ZSetPresenceRequest>;

export const ZAgentPresence = z.object({
  userId: z.uuid(),
  name: z.string(),
  /** Their profile picture (a path on Parley's origin), or null. */
  avatarUrl: z.string().nullable(),
  status: ZPresenceStatus,
  maxConcurrent: z.number().int().nullable(),
  connectedSockets: z.number().int(),
  lastAssignedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime().nullable(),
});
export type TAgentPresence = z.infer<typeof ZAgentPresence>;

export const ZPresenceList = z.object({ items: z.array(ZAgentPresence) });

/** Socket event `presence.set` (agents). */
export const ZPresenceSetEvent = z.strictObject({ status: ZPresenceStatus });

/** Socket event `queue.status` (visitors): where their waiting conversation stands. */
export const ZQueueStatusRequest = z.strictObject({ conversationId: z.uuid() });

export const ZQueueStatus = z.object({
  conversationId: z.uuid(),
  /** 1 = next to be taken; null when the conversation is not waiting for an agent. */
  position: z.number().int().min(1).nullable(),
  /** Null when unknown (no recent first replies) or not waiting. */
  estimatedWaitSeconds: z.number().int().min(0).nullable(),
});
export type TQueueStatus = z.infer<typeof ZQueueStatus>;
