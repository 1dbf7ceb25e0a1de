import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const platformRoutes: FastifyPluginAsyncZod = async () => {};
