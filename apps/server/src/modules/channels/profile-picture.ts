import { and, eq } from "drizzle-orm";
import type { FileStorage } from "../../platform/storage.ts";
import { storeContactAvatar } from "../contacts/contact-avatars.ts";
import { contactIdentities, contacts } from "../contacts/contacts.tables.ts";
import { type ConversationServices, commitConversationChange } from "../conversations/commit-change.ts";
import type { ChannelInbox, ProfilePicture } from "./channel-adapter.ts";

/** A contact without a picture (none, or hidden by their privacy settings) is asked again after a day at most. */
const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
const ATTEMPTS_REMEMBERED = 10_000;
/** Platforms serve profile pictures of a few hundred kB; anything far larger is not a picture to keep. */
const PICTURE_MAX_BYTES = 5 * 1024 * 1024;

const lastAttemptAt = new Map<string, number>();

/**
 * Fetches the contact's picture into storage when they have none yet. Optional by nature: no
 * picture, privacy settings or a network failure leave the contact without one, logged at debug
 * level, and never hold up or fail the message that brought the event.
 */
export const applyProfilePicture = async (
  services: ConversationServices,
  storage: FileStorage,
  inbox: ChannelInbox,
  sourceId: string,
  picture: ProfilePicture,
): Promise<void> => {
  const [contact] = await services.db
    .select({ id: contacts.id, avatarUrl: contacts.avatarUrl })
    .from(contactIdentities)
    .innerJoin(contacts, eq(contacts.id, contactIdentities.contactId))
    .where(and(eq(contactIdentities.inboxId, inbox.id), eq(contactIdentities.sourceId, sourceId)));
  if (!contact || contact.avatarUrl !== null) return;
  const triedAt = lastAttemptAt.get(contact.id);
  if (triedAt !== undefined && Date.now() - triedAt < RETRY_AFTER_MS) return;
  if (lastAttemptAt.size >= ATTEMPTS_REMEMBERED) lastAttemptAt.clear();
  lastAttemptAt.set(contact.id, Date.now());
  try {
    const fetched = await picture.fetch();
    if (!fetched || fetched.bytes.length === 0 || fetched.bytes.length > PICTURE_MAX_BYTES) {
      services.logger.debug({ inboxId: inbox.id, contactId: contact.id }, "the platform has no profile picture to show");
      return;
    }
    await commitConversationChange(services, async (tx) => {
      const stored = await storeContactAvatar({ ...services, db: tx }, storage, contact.id, fetched.bytes);
      return {
        result: undefined,
        events: stored ? [{ type: "contact.updated", workspaceId: inbox.workspaceId, contactId: contact.id }] : [],
      };
    });
  } catch (error) {
    services.logger.debug({ err: error, inboxId: inbox.id, contactId: contact.id }, "could not fetch a profile picture");
  }
};
