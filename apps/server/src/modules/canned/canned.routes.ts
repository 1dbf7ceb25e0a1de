import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const cannedRoutes: FastifyPluginAsyncZod = async () => {};
