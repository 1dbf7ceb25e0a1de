import { createHmac, timingSafeEqual } from "node:crypto";
import type { TVisitorIdentify, TWidgetContact, TWidgetForm } from "@parley/shared";
import { ZContactPhone, ZEmail } from "@parley/shared";
import { and, eq, inArray, isNull, like, ne, sql } from "drizzle-orm";
import type { DatabaseOrTransaction } from "../../platform/db.ts";
import type { DomainEvent } from "../../platform/domain-events.ts";
import { AppError } from "../../platform/errors.ts";
import type { VisitorIdentity } from "../../platform/realtime.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import { conversations } from "../conversations/conversations.tables.ts";
import { resolveContact } from "../conversations/start-conversation.ts";
import { inboxes } from "../inboxes/inboxes.tables.ts";
import { teams } from "../teams/teams.tables.ts";
import { VERIFIED_SOURCE_PREFIX, widgetContactOf } from "./visitor-session.ts";
import { proactiveTriggerFirings, visitorVisits } from "./visitors.tables.ts";
import { readWidgetSettings } from "./widget-settings.ts";

const MAX_ATTRIBUTES = 50;

type ContactRow = typeof contacts.$inferSelect;
export type ProfileChanges = {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  avatarUrl?: string | undefined;
  attributes?: Record<string, unknown> | undefined;
};

/** The live website inbox of a visitor, with its settings. */
export const visitorInbox = async (db: DatabaseOrTransaction, visitor: VisitorIdentity) => {
  const [inbox] = await db
    .select()
    .from(inboxes)
    .where(and(eq(inboxes.id, visitor.inboxId), eq(inboxes.workspaceId, visitor.workspaceId), isNull(inboxes.deletedAt)));
  // A socket opened before its inbox was deleted must not keep writing into it.
  if (!inbox) throw new AppError("not_found", "This chat is no longer available.");
  return { inbox, settings: readWidgetSettings(inbox.channelConfig) };
};

/** The visitor's contact, registered now if their session predates it. */
export const visitorContact = async (tx: DatabaseOrTransaction, visitor: VisitorIdentity) =>
  resolveContact(tx, {
    workspaceId: visitor.workspaceId,
    inboxId: visitor.inboxId,
    sourceId: visitor.visitorId,
    isAnonymous: true,
  });

export const isVerifiedContact = async (db: DatabaseOrTransaction, contactId: string): Promise<boolean> => {
  const [row] = await db
    .select({ id: contactIdentities.id })
    .from(contactIdentities)
    .where(and(eq(contactIdentities.contactId, contactId), like(contactIdentities.sourceId, `${VERIFIED_SOURCE_PREFIX}%`)))
    .limit(1);
  return row !== undefined;
};

/** Another live contact of the workspace already holding this email. */
const emailHolder = async (db: DatabaseOrTransaction, workspaceId: string, email: string, exceptId: string) => {
  const [holder] = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, workspaceId),
        sql`lower(${contacts.email}) = ${email.toLowerCase()}`,
        ne(contacts.id, exceptId),
        isNull(contacts.mergedIntoId),
      ),
    )
    .limit(1);
  return holder ?? null;
};

const mergedAttributes = (current: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > MAX_ATTRIBUTES) {
    throw new AppError("validation_failed", `A contact keeps at most ${MAX_ATTRIBUTES} custom attributes.`, [
      { path: "attributes", message: "too many attributes" },
    ]);
  }
  return merged;
};

/**
 * Applies what a visitor said about themselves to their contact. `isAuthoritative` (a verified
 * identify) may overwrite; otherwise only empty fields fill in on a verified contact, and an
 * email another contact holds is never taken over (it would attach this visitor to them).
 */
export const applyProfile = async (
  tx: DatabaseOrTransaction,
  contact: ContactRow,
  changes: ProfileChanges,
  options: { isAuthoritative: boolean; isVerified: boolean },
): Promise<DomainEvent[]> => {
  const mayOverwrite = options.isAuthoritative || !options.isVerified;
  const pick = (current: string | null, next: string | undefined) =>
    next === undefined || (!mayOverwrite && current !== null) ? current : next;
  let email = contact.email;
  if (changes.email !== undefined && (options.isAuthoritative || !options.isVerified)) {
    const isTaken = (await emailHolder(tx, contact.workspaceId, changes.email, contact.id)) !== null;
    if (!isTaken) email = changes.email;
  }
  const next = {
    name: pick(contact.name, changes.name),
    email,
    phone: pick(contact.phone, changes.phone),
    avatarUrl: pick(contact.avatarUrl, changes.avatarUrl),
    customAttributes: changes.attributes
      ? mergedAttributes(contact.customAttributes, changes.attributes)
      : contact.customAttributes,
  };
  const isChanged =
    next.name !== contact.name ||
    next.email !== contact.email ||
    next.phone !== contact.phone ||
    next.avatarUrl !== contact.avatarUrl ||
    JSON.stringify(next.customAttributes) !== JSON.stringify(contact.customAttributes);
  if (!isChanged) return [];
  const isAnonymous = contact.isAnonymous && next.name === null && next.email === null && next.phone === null;
  await tx
    .update(contacts)
    .set({ ...next, isAnonymous, updatedAt: new Date() })
    .where(eq(contacts.id, contact.id));
  // Named at last: announced as a new contact, as webhook receivers never heard of the visitor.
  const type = contact.isAnonymous && !isAnonymous ? "contact.created" : "contact.updated";
  return [{ type, workspaceId: contact.workspaceId, contactId: contact.id }];
};

const loadContact = async (tx: DatabaseOrTransaction, contactId: string): Promise<ContactRow> => {
  const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for("update");
  if (!contact) throw new AppError("not_found", "This visitor's contact no longer exists.");
  return contact;
};

const isHashValid = (secret: string, id: string, hash: string): boolean => {
  const expected = createHmac("sha256", secret).update(id).digest();
  if (!/^[0-9a-fA-F]+$/.test(hash) || hash.length !== expected.length * 2) return false;
  return timingSafeEqual(expected, Buffer.from(hash, "hex"));
};

/** Moves everything of the visitor's anonymous contact onto the verified one: identity, conversations, visits, firings. */
const mergeVisitorInto = async (
  tx: DatabaseOrTransaction,
  visitor: VisitorIdentity,
  from: { contactId: string; contactIdentityId: string },
  intoContactId: string,
): Promise<DomainEvent[]> => {
  await tx.update(contactIdentities).set({ contactId: intoContactId }).where(eq(contactIdentities.id, from.contactIdentityId));
  const moved = await tx
    .update(conversations)
    .set({ contactId: intoContactId, updatedAt: new Date() })
    .where(and(eq(conversations.workspaceId, visitor.workspaceId), eq(conversations.contactId, from.contactId)))
    .returning({ id: conversations.id });
  await tx.update(visitorVisits).set({ contactId: intoContactId }).where(eq(visitorVisits.contactId, from.contactId));
  await tx
    .update(proactiveTriggerFirings)
    .set({ contactId: intoContactId })
    .where(eq(proactiveTriggerFirings.contactId, from.contactId));
  const [remaining] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(contactIdentities)
    .where(eq(contactIdentities.contactId, from.contactId));
  // The anonymous contact stays as a pointer so old references resolve, like a contact merge.
  if ((remaining?.count ?? 0) === 0) {
    await tx.update(contacts).set({ mergedIntoId: intoContactId, updatedAt: new Date() }).where(eq(contacts.id, from.contactId));
  }
  return [
    ...moved.map((conversation) => ({
      type: "conversation.updated" as const,
      workspaceId: visitor.workspaceId,
      conversationId: conversation.id,
      changes: ["contact"],
    })),
    { type: "contact.updated", workspaceId: visitor.workspaceId, contactId: intoContactId },
  ];
};

/**
 * `Parley.identify`: with a valid hash the visitor becomes the site's user (their contact across
 * devices, with this visitor's conversations merged in); without one, only the visitor's own,
 * unverified contact changes, and a verified contact can never be reached or changed that way.
 */
export const identifyVisitor = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  request: TVisitorIdentify,
): Promise<{ contact: TWidgetContact }> => {
  const { inbox, settings } = await visitorInbox(services.db, visitor);
  let isVerified = false;
  if (request.hash !== undefined) {
    const secret = inbox.secret ? services.secrets.decrypt(inbox.secret) : null;
    if (!secret || !isHashValid(secret, request.id, request.hash)) {
      throw new AppError("identity_verification_failed", "The identity hash does not match this user id.");
    }
    isVerified = true;
  } else if (settings.requireIdentityVerification) {
    throw new AppError("identity_verification_failed", "This site requires a verified identity: send the user id's hash.");
  }
  const profile: ProfileChanges = {
    name: request.name,
    email: request.email,
    phone: request.phone,
    avatarUrl: request.avatarUrl,
    attributes: request.attributes,
  };
  const contactId = await commitConversationChange(services, async (tx) => {
    const own = await visitorContact(tx, visitor);
    const events: DomainEvent[] = [...own.events];
    if (!isVerified) {
      if (await isVerifiedContact(tx, own.contactId)) {
        throw new AppError(
          "identity_verification_failed",
          "This visitor is a verified user: send the id's hash to change who they are.",
        );
      }
      const ownContact = await loadContact(tx, own.contactId);
      events.push(...(await applyProfile(tx, ownContact, profile, { isAuthoritative: false, isVerified: false })));
      return { result: own.contactId, events };
    }
    const sourceId = `${VERIFIED_SOURCE_PREFIX}${request.id}`;
    const [known] = await tx
      .select({ contactId: contactIdentities.contactId })
      .from(contactIdentities)
      .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
      .where(
        and(
          eq(contactIdentities.workspaceId, visitor.workspaceId),
          eq(contactIdentities.sourceId, sourceId),
          isNull(contacts.mergedIntoId),
        ),
      )
      .limit(1);
    const ownVerifiedIds = await tx
      .select({ sourceId: contactIdentities.sourceId })
      .from(contactIdentities)
      .where(and(eq(contactIdentities.contactId, own.contactId), like(contactIdentities.sourceId, `${VERIFIED_SOURCE_PREFIX}%`)));
    const isOwnAnotherUser = ownVerifiedIds.some((identity) => identity.sourceId !== sourceId);
    let targetId = known?.contactId ?? own.contactId;
    if (!known && isOwnAnotherUser) {
      // The browser was another user's (no reset on logout): this user gets a contact of their own.
      const [fresh] = await tx.insert(contacts).values({ workspaceId: visitor.workspaceId }).returning({ id: contacts.id });
      if (!fresh) throw new Error("contact insert returned no row");
      targetId = fresh.id;
      events.push({ type: "contact.created", workspaceId: visitor.workspaceId, contactId: fresh.id });
    }
    if (targetId !== own.contactId) {
      if (isOwnAnotherUser) {
        // Only the visitor identity moves; the other user's conversations stay theirs.
        await tx.update(contactIdentities).set({ contactId: targetId }).where(eq(contactIdentities.id, own.contactIdentityId));
      } else {
        events.push(...(await mergeVisitorInto(tx, visitor, own, targetId)));
      }
    }
    await tx
      .insert(contactIdentities)
      .values({ workspaceId: visitor.workspaceId, contactId: targetId, inboxId: visitor.inboxId, sourceId })
      .onConflictDoNothing({ target: [contactIdentities.inboxId, contactIdentities.sourceId] });
    const target = await loadContact(tx, targetId);
    events.push(...(await applyProfile(tx, target, profile, { isAuthoritative: true, isVerified: true })));
    return { result: targetId, events };
  });
  return { contact: await widgetContactOf(services.db, contactId) };
};

/** `Parley.setAttributes`: merged into the contact's custom attributes; null removes one. */
export const setVisitorAttributes = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  attributes: Record<string, string | number | boolean | null>,
) => {
  await visitorInbox(services.db, visitor);
  const contactId = await commitConversationChange(services, async (tx) => {
    const own = await visitorContact(tx, visitor);
    const contact = await loadContact(tx, own.contactId);
    const events = await applyProfile(tx, contact, { attributes }, { isAuthoritative: false, isVerified: false });
    return { result: own.contactId, events: [...own.events, ...events] };
  });
  const [contact] = await services.db
    .select({ customAttributes: contacts.customAttributes })
    .from(contacts)
    .where(eq(contacts.id, contactId));
  return { attributes: contact?.customAttributes ?? {} };
};

const FIELD_PHONE = ZContactPhone;

/**
 * Checks form answers against the configured fields (required, email and phone format, select
 * options) and splits them into contact fields and custom attributes.
 */
export const validateFormAnswers = async (
  db: DatabaseOrTransaction,
  workspaceId: string,
  form: TWidgetForm,
  answers: Record<string, string | boolean>,
): Promise<{ profile: ProfileChanges; departmentTeamId: string | null }> => {
  const errors: Array<{ path: string; message: string }> = [];
  const known = new Set(form.fields.map((field) => field.key));
  for (const key of Object.keys(answers)) {
    if (!known.has(key)) errors.push({ path: `fields.${key}`, message: "This form has no such field." });
  }
  const profile: ProfileChanges = {};
  const attributes: Record<string, string | boolean> = {};
  let departmentTeamId: string | null = null;
  for (const field of form.fields) {
    const raw = answers[field.key];
    const value = typeof raw === "string" ? raw.trim() : raw;
    const isEmpty = value === undefined || value === "" || (field.type === "checkbox" && value === false);
    if (isEmpty) {
      if (field.required) errors.push({ path: `fields.${field.key}`, message: `${field.label} is required.` });
      continue;
    }
    if (field.type === "checkbox") {
      if (typeof value !== "boolean") errors.push({ path: `fields.${field.key}`, message: "Tick or untick this box." });
      else attributes[field.key] = value;
      continue;
    }
    if (typeof value !== "string") {
      errors.push({ path: `fields.${field.key}`, message: "Answer with text." });
      continue;
    }
    if (field.type === "email" || field.key === "email") {
      const parsed = ZEmail.safeParse(value);
      if (!parsed.success) {
        errors.push({ path: `fields.${field.key}`, message: "Enter a valid email address." });
        continue;
      }
      if (field.key === "email") profile.email = parsed.data;
      else attributes[field.key] = parsed.data;
      continue;
    }
    if (field.type === "tel" || field.key === "phone") {
      const parsed = FIELD_PHONE.safeParse(value);
      if (!parsed.success) {
        errors.push({ path: `fields.${field.key}`, message: 'Enter a phone number such as "+44 20 7946 0958".' });
        continue;
      }
      if (field.key === "phone") profile.phone = parsed.data;
      else attributes[field.key] = parsed.data;
      continue;
    }
    if (field.type === "select" && !(field.options ?? []).includes(value)) {
      errors.push({ path: `fields.${field.key}`, message: "Choose one of the options." });
      continue;
    }
    if (value.length > (field.type === "textarea" ? 2000 : 200)) {
      errors.push({ path: `fields.${field.key}`, message: "This answer is too long." });
      continue;
    }
    if (field.key === "name") profile.name = value;
    else if (field.key === "department") departmentTeamId = value;
    else attributes[field.key] = value;
  }
  if (departmentTeamId) {
    const [team] = await db
      .select({ id: teams.id })
      .from(teams)
      .where(
        and(
          eq(teams.workspaceId, workspaceId),
          inArray(
            teams.id,
            [departmentTeamId].filter((id) => /^[0-9a-f-]{36}$/i.test(id)),
          ),
        ),
      );
    if (!team) errors.push({ path: "fields.department", message: "Choose one of the options." });
  }
  if (errors.length > 0) throw new AppError("validation_failed", "Some answers need a second look.", errors);
  if (Object.keys(attributes).length > 0) profile.attributes = attributes;
  return { profile, departmentTeamId };
};

/** Pre-chat form answers: validated against the inbox's form and kept on the visitor's contact. */
export const submitVisitorProfile = async (
  services: ConversationServices,
  visitor: VisitorIdentity,
  answers: Record<string, string | boolean>,
): Promise<{ contact: TWidgetContact }> => {
  const { settings } = await visitorInbox(services.db, visitor);
  const { profile, departmentTeamId } = await validateFormAnswers(
    services.db,
    visitor.workspaceId,
    settings.preChatForm,
    answers,
  );
  const contactId = await commitConversationChange(services, async (tx) => {
    const own = await visitorContact(tx, visitor);
    const contact = await loadContact(tx, own.contactId);
    const isVerified = await isVerifiedContact(tx, own.contactId);
    const withDepartment = departmentTeamId
      ? { ...profile, attributes: { ...profile.attributes, department: departmentTeamId } }
      : profile;
    const events = await applyProfile(tx, contact, withDepartment, { isAuthoritative: false, isVerified });
    return { result: own.contactId, events: [...own.events, ...events] };
  });
  return { contact: await widgetContactOf(services.db, contactId) };
};
