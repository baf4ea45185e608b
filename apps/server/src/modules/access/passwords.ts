import { hash, verify } from "@node-rs/argon2";

/* argon2id with the OWASP-recommended minimums (19 MiB, 2 passes). */
const ARGON2ID = 2; // Algorithm.Argon2id; the package exports it as an ambient const enum
const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (!passwordHash) {
    // Spend the same time as a real check, so timing does not reveal which emails exist.
    await hash(password, options);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

export const MIN_PASSWORD_LENGTH = 10;
