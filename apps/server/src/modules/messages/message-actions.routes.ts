import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const messageActionsRoutes: FastifyPluginAsyncZod = async () => {};
