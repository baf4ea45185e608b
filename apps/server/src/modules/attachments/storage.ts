import { createHash, randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, type ReadStream } from "node:fs";
import { mkdir, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Files live under `<dataDir>/attachments/<sha256[0:2]>/<sha256>`: content-addressed, so the same
 * file uploaded twice is stored once and no user-chosen name ever reaches the file system.
 */
export function attachmentPath(dataDir: string, sha256: string): string {
  return path.join(dataDir, "attachments", sha256.slice(0, 2), sha256);
}

/**
 * Streams an upload into place: written to a temporary file beside the store (same file system, so
 * the rename is atomic) while hashing, then renamed to its content address. A reader therefore never
 * sees a half-written file. Returns `truncated` when the source stopped at its size limit.
 */
export async function storeStream(
  dataDir: string,
  source: Readable & { truncated?: boolean },
): Promise<{ sha256: string; size: number; truncated: boolean }> {
  const tmpDir = path.join(dataDir, "attachments", "tmp");
  await mkdir(tmpDir, { recursive: true });
  const tmp = path.join(tmpDir, randomUUID());
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(tmp, { flags: "wx", mode: 0o600 }));
    if (source.truncated || size === 0) {
      await unlink(tmp);
      return { sha256: "", size, truncated: source.truncated === true };
    }
    const sha256 = hash.digest("hex");
    const target = attachmentPath(dataDir, sha256);
    await mkdir(path.dirname(target), { recursive: true });
    // Replacing an existing copy is harmless: same address, same bytes.
    await rename(tmp, target);
    return { sha256, size, truncated: false };
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
}

export function openStored(dataDir: string, sha256: string): ReadStream {
  return createReadStream(attachmentPath(dataDir, sha256));
}
