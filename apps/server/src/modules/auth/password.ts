import { hash, verify } from "@node-rs/argon2";

// argon2id (the library's default algorithm) at OWASP's baseline: 19 MiB, 2 passes, 1 lane.
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2_OPTIONS);

// Verified against when the account does not exist, so a wrong email costs as long as a wrong password.
const decoyHashPromise = hashPassword("parley-decoy-password-never-matches");

export const verifyPassword = async (passwordHash: string | null, password: string): Promise<boolean> => {
  if (passwordHash === null) {
    await verify(await decoyHashPromise, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
};
