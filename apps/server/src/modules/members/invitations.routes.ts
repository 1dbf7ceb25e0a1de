import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AuthRouteOptions } from "../../platform/route-options.ts";

export const invitationsRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async () => {};
