import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * AES-256-GCM for secrets at rest (TOTP secrets, SSO client secrets, channel tokens).
 * Ciphertext is `v1.<key id>.<iv>.<tag>.<data>` (base64url parts); the key id lets a rotated key
 * still decrypt old values while new ones use the current key.
 */
export type SecretBox = {
  encrypt: (plaintext: string) => string;
  decrypt: (ciphertext: string) => string;
  /** True when the value was encrypted with an older key and should be re-encrypted. */
  needsRotation: (ciphertext: string) => boolean;
  /** Tamper-evident token for `purpose` carrying `payload` (not encrypted: never put secrets in it). */
  sign: (purpose: string, payload: Record<string, unknown>) => string;
  /** The payload of a token `sign` made for this purpose (with any configured key), or null. */
  verify: (purpose: string, token: string) => Record<string, unknown> | null;
};

/** A per-purpose subkey, so a token made for one purpose never verifies for another. */
const subkeyOf = (key: Buffer, purpose: string): KeyObject =>
  createSecretKey(createHmac("sha256", key).update(`parley:${purpose}`).digest());

const mac = (subkey: KeyObject, body: string): string => createHmac("sha256", subkey).update(body).digest("base64url");

const keyIdOf = (key: Buffer): string => createHash("sha256").update(key).digest("hex").slice(0, 8);

export const createSecretBox = (currentKeyBase64: string, previousKeysBase64: readonly string[] = []): SecretBox => {
  const current = Buffer.from(currentKeyBase64, "base64");
  const keys = new Map(
    [current, ...previousKeysBase64.map((key) => Buffer.from(key, "base64"))].map((key) => [keyIdOf(key), key]),
  );
  const currentId = keyIdOf(current);
  // Every widget handshake verifies a token: derive each key's subkey for a purpose once.
  const subkeys = new Map<string, KeyObject>();
  const subkeyFor = (keyId: string, key: Buffer, purpose: string): KeyObject => {
    const name = `${keyId}:${purpose}`;
    let subkey = subkeys.get(name);
    if (!subkey) {
      subkey = subkeyOf(key, purpose);
      subkeys.set(name, subkey);
    }
    return subkey;
  };
  return {
    encrypt: (plaintext) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", current, iv);
      const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return [
        "v1",
        currentId,
        iv.toString("base64url"),
        cipher.getAuthTag().toString("base64url"),
        data.toString("base64url"),
      ].join(".");
    },
    decrypt: (ciphertext) => {
      const [version, keyId, iv, tag, data] = ciphertext.split(".");
      if (version !== "v1" || !keyId || !iv || !tag || data === undefined) throw new Error("not a Parley ciphertext");
      const key = keys.get(keyId);
      if (!key) throw new Error(`no configured encryption key has id ${keyId}; add the old key to ENCRYPTION_KEYS_PREVIOUS`);
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
    },
    needsRotation: (ciphertext) => ciphertext.split(".")[1] !== currentId,
    sign: (purpose, payload) => {
      const body = Buffer.from(JSON.stringify(payload)).toString("base64url");
      return `${body}.${currentId}.${mac(subkeyFor(currentId, current, purpose), body)}`;
    },
    verify: (purpose, token) => {
      const [body, keyId, signature] = token.split(".");
      const key = keyId ? keys.get(keyId) : undefined;
      if (!body || !keyId || !signature || !key) return null;
      const expected = Buffer.from(mac(subkeyFor(keyId, key, purpose), body));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
      try {
        const payload: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
        return typeof payload === "object" && payload !== null && !Array.isArray(payload)
          ? (payload as Record<string, unknown>)
          : null;
      } catch {
        return null;
      }
    },
  };
};

/** The embedded default keeps its generated key beside its data, readable by its owner only. */
export const readOrCreateKeyFile = async (dataDir: string): Promise<string> => {
  const file = path.join(dataDir, "encryption.key");
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const key = randomBytes(32).toString("base64");
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return key;
};
