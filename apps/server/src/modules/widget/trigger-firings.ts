import type { TCompiledTrigger, TCompiledTriggerAction, TTriggerAction, TWidgetSettings } from "@parley/shared";
import { and, asc, eq, inArray, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import { AppError } from "../../platform/errors.ts";
import { users } from "../auth/auth.tables.ts";
import { avatarUrlOf } from "../auth/avatar-urls.ts";
import { memberships } from "../workspaces/workspaces.tables.ts";
import { storedActions, storedConditions } from "./proactive-triggers.service.ts";
import { proactiveTriggerFirings, proactiveTriggers } from "./visitors.tables.ts";

type TriggerRow = typeof proactiveTriggers.$inferSelect;
type GreetingAgent = { name: string; avatarUrl: string | null };

/** An action as the widget shows it: a greeting's sender resolved to a name and avatar. */
const compileAction = (
  action: TTriggerAction,
  context: { agents: Map<string, GreetingAgent>; inboxName: string; settings: TWidgetSettings },
): TCompiledTriggerAction | null => {
  switch (action.type) {
    case "greeting": {
      if (action.senderType === "agent") {
        const agent = action.agentId ? context.agents.get(action.agentId) : undefined;
        // A greeting from a member who left the workspace is not shown at all.
        if (!agent) return null;
        return { type: "greeting", text: action.text, senderType: "agent", sender: agent };
      }
      return {
        type: "greeting",
        text: action.text,
        senderType: "bot",
        sender: { name: action.botName ?? (context.settings.title || context.inboxName), avatarUrl: context.settings.avatarUrl },
      };
    }
    case "open_widget":
      return { type: "open_widget" };
    case "attention_bubble":
      return { type: "attention_bubble", text: action.text };
    default: {
      const exhaustive: never = action;
      return exhaustive;
    }
  }
};

const greetingAgentsOf = async (db: DatabaseOrTransaction, workspaceId: string, rows: TriggerRow[]) => {
  const agentIds = [
    ...new Set(
      rows.flatMap((row) =>
        storedActions(row).flatMap((action) => (action.type === "greeting" && action.agentId ? [action.agentId] : [])),
      ),
    ),
  ];
  if (agentIds.length === 0) return new Map<string, GreetingAgent>();
  const members = await db
    .select({ id: users.id, name: users.name, avatarKey: users.avatarKey })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.workspaceId, workspaceId), eq(memberships.status, "active"), inArray(users.id, agentIds)));
  return new Map(
    members.map((member) => [member.id, { name: member.name, avatarUrl: avatarUrlOf(member.avatarKey) } satisfies GreetingAgent]),
  );
};

const triggersOfInbox = (db: DatabaseOrTransaction, workspaceId: string, inboxId: string) =>
  db
    .select()
    .from(proactiveTriggers)
    .where(
      and(
        eq(proactiveTriggers.workspaceId, workspaceId),
        eq(proactiveTriggers.isEnabled, true),
        or(isNull(proactiveTriggers.inboxId), eq(proactiveTriggers.inboxId, inboxId)),
      ),
    )
    .orderBy(asc(proactiveTriggers.position), asc(proactiveTriggers.createdAt));

/** The inbox's enabled triggers in run order, as the widget evaluates them. */
export const compileTriggers = async (
  db: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; inboxName: string; settings: TWidgetSettings },
): Promise<TCompiledTrigger[]> => {
  const rows = await triggersOfInbox(db, input.workspaceId, input.inboxId);
  const agents = await greetingAgentsOf(db, input.workspaceId, rows);
  return rows.flatMap((row) => {
    const actions = storedActions(row).flatMap((action) => {
      const compiled = compileAction(action, { agents, inboxName: input.inboxName, settings: input.settings });
      return compiled ? [compiled] : [];
    });
    if (actions.length === 0) return [];
    return [
      { id: row.id, name: row.name, match: row.match, conditions: storedConditions(row), actions, frequency: row.frequency },
    ];
  });
};

/** One enabled trigger of an inbox, compiled, for a visitor reporting that it fired. */
export const findCompiledTrigger = async (
  db: DatabaseOrTransaction,
  input: { workspaceId: string; inboxId: string; inboxName: string; settings: TWidgetSettings; triggerId: string },
): Promise<{ trigger: TCompiledTrigger; row: TriggerRow } | null> => {
  const rows = (await triggersOfInbox(db, input.workspaceId, input.inboxId)).filter((row) => row.id === input.triggerId);
  const [row] = rows;
  if (!row) return null;
  const agents = await greetingAgentsOf(db, input.workspaceId, rows);
  const actions = storedActions(row).flatMap((action) => {
    const compiled = compileAction(action, { agents, inboxName: input.inboxName, settings: input.settings });
    return compiled ? [compiled] : [];
  });
  return {
    row,
    trigger: {
      id: row.id,
      name: row.name,
      match: row.match,
      conditions: storedConditions(row),
      actions,
      frequency: row.frequency,
    },
  };
};

/** Records a firing unless the trigger's frequency forbids another one for this visitor or visit. */
export const recordFiring = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; trigger: TriggerRow; contactId: string; visitId: string | null },
): Promise<string> => {
  // One firing at a time per contact and trigger, so two tabs cannot both pass the frequency check.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`trigger:${input.trigger.id}:${input.contactId}`}))`);
  if (input.trigger.frequency !== "always") {
    const [previous] = await tx
      .select({ id: proactiveTriggerFirings.id })
      .from(proactiveTriggerFirings)
      .where(
        and(
          eq(proactiveTriggerFirings.triggerId, input.trigger.id),
          eq(proactiveTriggerFirings.contactId, input.contactId),
          input.trigger.frequency === "once_per_session"
            ? input.visitId
              ? eq(proactiveTriggerFirings.visitId, input.visitId)
              : isNull(proactiveTriggerFirings.visitId)
            : undefined,
        ),
      )
      .limit(1);
    if (previous) {
      throw new AppError(
        "trigger_already_fired",
        input.trigger.frequency === "once_per_session"
          ? "This trigger already fired during this visit."
          : "This trigger already fired for this visitor.",
      );
    }
  }
  const [firing] = await tx
    .insert(proactiveTriggerFirings)
    .values({ workspaceId: input.workspaceId, triggerId: input.trigger.id, contactId: input.contactId, visitId: input.visitId })
    .returning({ id: proactiveTriggerFirings.id });
  if (!firing) throw new Error("firing insert returned no row");
  return firing.id;
};

/** A firing of this contact that the visitor has not answered yet, with its trigger's greeting. */
export const findOpenGreeting = async (
  tx: DatabaseOrTransaction,
  input: { workspaceId: string; contactId: string; firingId: string },
): Promise<{ firingId: string; greeting: Extract<TTriggerAction, { type: "greeting" }> } | null> => {
  const [row] = await tx
    .select({ firing: proactiveTriggerFirings, trigger: proactiveTriggers })
    .from(proactiveTriggerFirings)
    .innerJoin(proactiveTriggers, eq(proactiveTriggers.id, proactiveTriggerFirings.triggerId))
    .where(
      and(
        eq(proactiveTriggerFirings.id, input.firingId),
        eq(proactiveTriggerFirings.workspaceId, input.workspaceId),
        eq(proactiveTriggerFirings.contactId, input.contactId),
        isNull(proactiveTriggerFirings.engagedAt),
      ),
    )
    .for("update", { of: proactiveTriggerFirings });
  if (!row) return null;
  const greeting = storedActions(row.trigger).find((action) => action.type === "greeting");
  return greeting?.type === "greeting" ? { firingId: row.firing.id, greeting } : null;
};

export const markFiringEngaged = async (tx: DatabaseOrTransaction, firingId: string, conversationId: string) => {
  await tx
    .update(proactiveTriggerFirings)
    .set({ engagedAt: new Date(), conversationId })
    .where(and(eq(proactiveTriggerFirings.id, firingId), isNotNull(proactiveTriggerFirings.firedAt)));
};
