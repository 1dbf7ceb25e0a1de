import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { AuthRouteOptions } from "../../platform/route-options.ts";

export const accountRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async () => {};
