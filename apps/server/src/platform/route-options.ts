/** Options the API mounts every sign-in-related plugin with (tests lower the limit to prove it). */
export type AuthRouteOptions = { authRateLimitPerMinute: number };
