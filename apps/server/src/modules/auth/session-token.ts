import { createHash, randomBytes } from "node:crypto";

const TOKEN_PREFIX = "pst_";

/** Opaque bearer token; only its SHA-256 is stored, so a database leak yields no usable sessions. */
export const newSessionToken = (): string => `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export const looksLikeSessionToken = (token: string): boolean => token.startsWith(TOKEN_PREFIX) && token.length < 100;
