import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const inboxesRoutes: FastifyPluginAsyncZod = async () => {};
