import { X509Certificate } from "node:crypto";
import { z } from "zod";
import { AppError } from "../../platform/errors.ts";
import type { ssoConnections } from "./sso.tables.ts";

export type SsoConnectionRow = typeof ssoConnections.$inferSelect;

/** What `sso_connections.config` holds per protocol; parsed on every read, never trusted blindly. */
export const ZOidcSettings = z.object({ issuer: z.string().min(1), clientId: z.string().min(1) });
export const ZSamlSettings = z.object({
  idpEntryPoint: z.string().min(1),
  idpIssuer: z.string().min(1),
  idpCertificate: z.string().min(1),
});
export type OidcSettings = z.infer<typeof ZOidcSettings>;
export type SamlSettings = z.infer<typeof ZSamlSettings>;

export const oidcSettingsOf = (connection: SsoConnectionRow): OidcSettings => ZOidcSettings.parse(connection.config);
export const samlSettingsOf = (connection: SsoConnectionRow): SamlSettings => ZSamlSettings.parse(connection.config);

/** The addresses an identity provider is configured with; all derive from PUBLIC_URL. */
export const ssoUrls = (publicUrl: string, connectionId: string) => {
  const api = `${publicUrl}/api/v1/auth/sso`;
  return {
    startUrl: `${api}/${connectionId}/start`,
    oidcRedirectUri: `${api}/oidc/callback`,
    samlEntityId: `${api}/saml/${connectionId}/metadata`,
    samlMetadataUrl: `${api}/saml/${connectionId}/metadata`,
    samlAcsUrl: `${api}/saml/${connectionId}/acs`,
  };
};

/**
 * Accepts a PEM certificate or the bare base64 body IdP metadata shows, and returns clean PEM.
 * Refuses what does not parse, so a typo surfaces when the admin saves rather than at sign-in.
 */
export const normalizeCertificate = (input: string): { pem: string; expiresAt: Date } => {
  const body = input
    .replace(/-----BEGIN CERTIFICATE-----/g, "")
    .replace(/-----END CERTIFICATE-----/g, "")
    .replace(/\s+/g, "");
  const lines = body.match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
  try {
    const certificate = new X509Certificate(pem);
    return { pem, expiresAt: new Date(certificate.validTo) };
  } catch {
    throw new AppError("validation_failed", "The identity provider certificate is not a valid X.509 certificate.", [
      { path: "body.idpCertificate", message: "paste the IdP's signing certificate (PEM)" },
    ]);
  }
};

export const certificateExpiry = (pem: string): Date | null => {
  try {
    return new Date(new X509Certificate(pem).validTo);
  } catch {
    return null;
  }
};

export const certificateFingerprint = (pem: string): string | null => {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return null;
  }
};

export const domainOf = (email: string): string => email.slice(email.lastIndexOf("@") + 1).toLowerCase();
