import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const internalChatsRoutes: FastifyPluginAsyncZod = async () => {};
