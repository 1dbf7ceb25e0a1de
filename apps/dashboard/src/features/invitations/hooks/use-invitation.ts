import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { meQueryKey } from "../../auth/api/auth-api";
import { acceptInvitation, invitationLookupQueryKey, lookupInvitation } from "../api/invitations-api";

export const useInvitationLookup = (token: string) =>
  useQuery({
    queryKey: invitationLookupQueryKey(token),
    queryFn: ({ signal }) => lookupInvitation(token, signal),
    enabled: token.length > 0,
  });

/** Accepting opens a session in the invited workspace: answers cached for another workspace are dropped. */
export const useAcceptInvitation = () => {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acceptInvitation,
    onSuccess: async () => {
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== meQueryKey[0] });
      await queryClient.invalidateQueries({ queryKey: meQueryKey });
    },
  });
};
