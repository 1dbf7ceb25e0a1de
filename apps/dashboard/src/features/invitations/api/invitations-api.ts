import { type TAcceptInvitationRequest, ZInvitationLookup, ZSessionResponse } from "@parley/shared";
import { apiRequest } from "../../../lib/api-client";

export const invitationLookupQueryKey = (token: string) => ["invitations", "lookup", token] as const;

/** What the invitation offers; the token in the link is the proof, so this needs no session. */
export const lookupInvitation = (token: string, signal?: AbortSignal) =>
  apiRequest("/invitations/lookup", ZInvitationLookup, { query: { token }, signal });

/** `{ token, name, password }` for a new account; `{ token }` with the cookie session for an existing one. */
export const acceptInvitation = (input: TAcceptInvitationRequest) =>
  apiRequest("/invitations/accept", ZSessionResponse, { method: "POST", body: input });
