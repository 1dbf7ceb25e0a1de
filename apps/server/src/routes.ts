import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { deadLettersRoutes } from "./modules/admin/dead-letters.routes.ts";
import { platformRoutes } from "./modules/admin/platform.routes.ts";
import { apiKeysRoutes } from "./modules/api-keys/api-keys.routes.ts";
import { auditRoutes } from "./modules/audit/audit.routes.ts";
import { accountRoutes } from "./modules/auth/account.routes.ts";
import { authRoutes } from "./modules/auth/auth.routes.ts";
import { twoFactorRoutes } from "./modules/auth/two-factor.routes.ts";
import { invitationsRoutes } from "./modules/members/invitations.routes.ts";
import { membersRoutes } from "./modules/members/members.routes.ts";
import { rolesRoutes } from "./modules/roles/roles.routes.ts";
import { ssoRoutes } from "./modules/sso/sso.routes.ts";
import { teamsRoutes } from "./modules/teams/teams.routes.ts";
import { workspaceSettingsRoutes } from "./modules/workspaces/settings.routes.ts";
import { workspacesRoutes } from "./modules/workspaces/workspaces.routes.ts";
import { devMailboxRoutes } from "./platform/mail/dev-mailbox.routes.ts";
import type { AuthRouteOptions } from "./platform/route-options.ts";

/** Every API route plugin, mounted under /api/v1. */
export const apiRoutes: FastifyPluginAsyncZod<AuthRouteOptions> = async (api, options) => {
  await api.register(authRoutes, { authRateLimitPerMinute: options.authRateLimitPerMinute });
  await api.register(accountRoutes, { authRateLimitPerMinute: options.authRateLimitPerMinute });
  await api.register(twoFactorRoutes, { authRateLimitPerMinute: options.authRateLimitPerMinute });
  await api.register(ssoRoutes, { authRateLimitPerMinute: options.authRateLimitPerMinute });
  await api.register(workspacesRoutes);
  await api.register(workspaceSettingsRoutes);
  await api.register(membersRoutes);
  await api.register(invitationsRoutes, { authRateLimitPerMinute: options.authRateLimitPerMinute });
  await api.register(rolesRoutes);
  await api.register(teamsRoutes);
  await api.register(apiKeysRoutes);
  await api.register(auditRoutes);
  await api.register(platformRoutes);
  await api.register(deadLettersRoutes);
  await api.register(devMailboxRoutes);
};
