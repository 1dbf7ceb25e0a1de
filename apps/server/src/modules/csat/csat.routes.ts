import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const csatRoutes: FastifyPluginAsyncZod = async () => {};
