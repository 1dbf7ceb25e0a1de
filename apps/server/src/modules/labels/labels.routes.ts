import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const labelsRoutes: FastifyPluginAsyncZod = async () => {};
