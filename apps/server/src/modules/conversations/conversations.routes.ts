import { ZConversation, ZErrorResponse } from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireIdentity } from "../../platform/access.ts";
import { AppError } from "../../platform/errors.ts";
import { loadConversationDtos } from "./conversation-dto.ts";
import { findVisibleConversation } from "./visibility.ts";

export const conversationsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db } = app.parley;

  app.get("/conversations/:id", {
    config: { access: "authenticated" },
    schema: {
      tags: ["conversations"],
      summary: "One conversation you can see",
      params: z.strictObject({ id: z.uuid({ message: "must be a conversation id" }) }),
      response: { 200: ZConversation, 400: ZErrorResponse, 401: ZErrorResponse, 404: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      const conversation = await findVisibleConversation(db, identity, request.params.id);
      const [dto] = await loadConversationDtos(db, [conversation.id], identity.userId);
      if (!dto) throw new AppError("not_found", "No conversation with this id that you can see.");
      return dto;
    },
  });
};
