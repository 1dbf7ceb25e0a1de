import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const routingRoutes: FastifyPluginAsyncZod = async () => {};
