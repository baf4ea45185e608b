import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Seals and opens strings for one purpose. */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed by this box (other secret, other purpose, or tampered). */
  open(sealed: string): string;
}

const keys = new Map<string, Buffer>();

function keyFor(masterSecret: string, purpose: string): Buffer {
  const cacheKey = `${purpose}\0${masterSecret}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", masterSecret, "keepwell secret-box", `${VERSION}:${purpose}`, 32));
    keys.set(cacheKey, key);
  }
  return key;
}

/**
 * Encrypts credentials Keepwell must be able to read back (webhook signing secrets, SMTP passwords)
 * with AES-256-GCM under a key derived from the instance secret. Each purpose gets its own key, so a
 * value sealed for one purpose never opens as another.
 *
 * @example
 * const box = secretBox(ctx.config.secret, "webhooks");
 * const stored = box.seal("whsec_…");
 * box.open(stored); // "whsec_…"
 */
export function secretBox(masterSecret: string, purpose: string): SecretBox {
  const key = keyFor(masterSecret, purpose);
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const packed = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
      return `${VERSION}.${packed.toString("base64url")}`;
    },
    open(sealed) {
      const [version, encoded] = sealed.split(".", 2);
      if (version !== VERSION || !encoded) throw new Error("secret-box: not a sealed value");
      const packed = Buffer.from(encoded, "base64url");
      if (packed.length < IV_BYTES + TAG_BYTES) throw new Error("secret-box: sealed value is truncated");
      const decipher = createDecipheriv("aes-256-gcm", key, packed.subarray(0, IV_BYTES));
      decipher.setAuthTag(packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([
        decipher.update(packed.subarray(IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString("utf8");
    },
  };
}
