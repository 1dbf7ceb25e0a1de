import {
  ZErrorResponse,
  ZSecuritySettings,
  ZUpdateSecuritySettingsRequest,
  ZUpdateWorkspaceSettingsRequest,
  ZWorkspaceSettings,
} from "@parley/shared";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { requireIdentity } from "../../platform/access.ts";
import { parseRange } from "../../platform/ip-allowlist.ts";
import { actorOf } from "../audit/audit.service.ts";
import {
  getSecuritySettings,
  getWorkspaceSettings,
  updateSecuritySettings,
  updateWorkspaceSettings,
} from "./settings.service.ts";

// Address parsing needs ipaddr.js, which the shared package does not carry: checked here, at the edge.
const ZUpdateSecuritySettingsBody = ZUpdateSecuritySettingsRequest.superRefine((body, context) => {
  body.ipAllowlist?.forEach((entry, index) => {
    if (parseRange(entry) === null) {
      context.addIssue({
        code: "custom",
        path: ["ipAllowlist", index],
        message: `"${entry}" is not an IPv4/IPv6 address or CIDR range such as 203.0.113.0/24.`,
      });
    }
  });
});

export const workspaceSettingsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { db, realtime } = app.parley;

  app.get("/workspaces/current/settings", {
    config: { access: "authenticated" },
    schema: {
      tags: ["workspaces"],
      summary: "The current workspace's general settings: name, logo, time zone, language, date and time formats",
      response: { 200: ZWorkspaceSettings, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => getWorkspaceSettings(db, requireIdentity(request).workspaceId),
  });

  app.patch("/workspaces/current/settings", {
    config: { access: "settings.manage" },
    schema: {
      tags: ["workspaces"],
      summary: "Change general settings; only the fields sent change, a rename updates open dashboards live",
      body: ZUpdateWorkspaceSettingsRequest,
      response: { 200: ZWorkspaceSettings, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateWorkspaceSettings(db, realtime, identity.workspaceId, request.body, actorOf(identity, request));
    },
  });

  app.get("/workspaces/current/security", {
    config: { access: "security.manage" },
    schema: {
      tags: ["workspaces"],
      summary:
        "The current workspace's security policy: 2FA requirement, session timeouts, IP allowlist, passwords, anonymous visitors' retention",
      response: { 200: ZSecuritySettings, 401: ZErrorResponse, 403: ZErrorResponse },
    },
    handler: async (request) => getSecuritySettings(db, requireIdentity(request).workspaceId),
  });

  app.patch("/workspaces/current/security", {
    config: { access: "security.manage" },
    schema: {
      tags: ["workspaces"],
      summary: "Change the security policy; refuses (409 lockout_risk) changes that would lock you out",
      body: ZUpdateSecuritySettingsBody,
      response: { 200: ZSecuritySettings, 400: ZErrorResponse, 401: ZErrorResponse, 403: ZErrorResponse, 409: ZErrorResponse },
    },
    handler: async (request) => {
      const identity = requireIdentity(request);
      return updateSecuritySettings(db, realtime, {
        workspaceId: identity.workspaceId,
        changes: request.body,
        actor: actorOf(identity, request),
        callerIp: request.ip,
        callerUserId: identity.userId,
      });
    },
  });
};
