import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const apiKeysRoutes: FastifyPluginAsyncZod = async () => {};
