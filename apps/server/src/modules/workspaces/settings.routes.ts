import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";

export const workspaceSettingsRoutes: FastifyPluginAsyncZod = async () => {};
