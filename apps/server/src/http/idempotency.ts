import type { FastifyInstance, FastifyRequest } from "fastify";
import { sql } from "kysely";
import type { AppContext } from "../context.ts";
import { Problem } from "../lib/errors.ts";
import { secretBox } from "../lib/secret-box.ts";
import { sha256 } from "../lib/tokens.ts";

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const HEADER = "idempotency-key";

declare module "fastify" {
  interface FastifyRequest {
    idempotency: { workspaceId: string; principal: string; key: string } | null;
  }
}

/**
 * `Idempotency-Key` on a write: the first request runs and its response is stored; a retry with the
 * same key and body gets the stored response; the same key with another body is refused; a retry
 * while the first is still running gets 409. Server errors are not stored, so they can be retried.
 * Stored responses are sealed: some carry a secret shown only once (API tokens, webhook secrets).
 */
export function installIdempotency(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest("idempotency", null);
  const box = secretBox(ctx.config.secret, "idempotent-responses");

  app.addHook("preHandler", async (request: FastifyRequest, reply) => {
    const key = request.headers[HEADER];
    if (!UNSAFE.has(request.method) || key === undefined || !request.principal) return;
    if (typeof key !== "string" || key.length < 1 || key.length > 255) {
      throw new Problem(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters", {
        field: "Idempotency-Key",
      });
    }
    const principal = `${request.principal.via}:${request.principal.credentialId}`;
    const workspaceId = request.principal.workspaceId;
    const requestHash = sha256(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`);
    const inserted = await ctx.db
      .insertInto("idempotency_keys")
      .values({ workspace_id: workspaceId, principal, key, request_hash: requestHash })
      .onConflict((oc) => oc.doNothing())
      .returning("key")
      .executeTakeFirst();
    if (inserted) {
      request.idempotency = { workspaceId, principal, key };
      return;
    }
    const stored = await ctx.db
      .selectFrom("idempotency_keys")
      .select(["request_hash", "status_code", "response_body"])
      .where("workspace_id", "=", workspaceId)
      .where("principal", "=", principal)
      .where("key", "=", key)
      .executeTakeFirst();
    if (!stored)
      throw new Problem(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still running; retry shortly",
      );
    if (stored.request_hash !== requestHash) {
      throw new Problem(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different request",
        { field: "Idempotency-Key" },
      );
    }
    if (stored.status_code === null) {
      throw new Problem(
        409,
        "idempotency_in_progress",
        "A request with this Idempotency-Key is still running; retry shortly",
      );
    }
    reply.header("idempotent-replayed", "true");
    if (stored.status_code >= 400) reply.type("application/problem+json; charset=utf-8");
    const sealed = stored.response_body as { sealed?: string } | null;
    const body = sealed?.sealed ? JSON.parse(box.open(sealed.sealed)) : undefined;
    return reply.status(stored.status_code).send(body ?? undefined);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const reservation = request.idempotency;
    if (!reservation) return payload;
    request.idempotency = null;
    const where = sql`workspace_id = ${reservation.workspaceId} and principal = ${reservation.principal} and key = ${reservation.key}`;
    if (reply.statusCode >= 500) {
      await sql`delete from idempotency_keys where ${where}`.execute(ctx.db);
      return payload;
    }
    let body: unknown = null;
    if (typeof payload === "string" && payload.length > 0) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    const sealed = JSON.stringify({ sealed: box.seal(JSON.stringify(body)) });
    await sql`update idempotency_keys set status_code = ${reply.statusCode}, response_body = ${sealed}::jsonb where ${where}`.execute(
      ctx.db,
    );
    return payload;
  });
}
