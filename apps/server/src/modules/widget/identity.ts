import { createHmac, timingSafeEqual } from "node:crypto";

/** What the host page passes to `Keepwell("identify", …)`: the user as its own server knows them. */
export interface ClaimedIdentity {
  user_id: string;
  email?: string;
  name?: string;
  /** Hex HMAC-SHA256 of user_id under the inbox's identity secret, computed by the host site's server. */
  user_hash?: string;
}

/** The signature the host site's server computes; exported for documentation examples and tests. */
export function signUserId(secret: string, userId: string): string {
  return createHmac("sha256", secret).update(userId, "utf8").digest("hex");
}

/**
 * True only when user_hash is the HMAC of user_id under the secret. The comparison runs in constant
 * time over fixed-length digests, so response timing tells a forger nothing about how close they got.
 */
export function identityIsVerified(secret: string | null, claim: ClaimedIdentity): boolean {
  if (!secret || typeof claim.user_hash !== "string") return false;
  const expected = Buffer.from(signUserId(secret, claim.user_id), "hex");
  const given = /^[0-9a-fA-F]{64}$/.test(claim.user_hash) ? Buffer.from(claim.user_hash, "hex") : null;
  // A malformed hash still pays for one comparison, against the expected value itself.
  return timingSafeEqual(expected, given ?? expected) && given !== null;
}
