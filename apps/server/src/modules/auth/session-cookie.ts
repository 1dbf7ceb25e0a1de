import type { FastifyReply } from "fastify";
import type { Config } from "../../platform/config.ts";
import { SESSION_COOKIE } from "../../platform/origin.ts";

/** The dashboard's session cookie, set by every way of signing in. */
export const setSessionCookie = (
  reply: FastifyReply,
  config: Pick<Config, "publicUrl">,
  session: { token: string; expiresAt: string },
) =>
  reply.setCookie(SESSION_COOKIE, session.token, {
    path: "/",
    httpOnly: true,
    // Lax: sent on top-level navigations back from an identity provider, not on cross-site subrequests.
    sameSite: "lax",
    secure: config.publicUrl.startsWith("https://"),
    expires: new Date(session.expiresAt),
  });
