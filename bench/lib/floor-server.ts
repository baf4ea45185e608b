// The database floor: the least a server can do to answer the conversation list and a note correctly
// on the same PostgreSQL database Keepwell uses in the run. A bare Fastify app with `pg`, run as its
// own process like the server under test (PORT and DATABASE_URL from the environment):
//  - every request is authenticated by its API token, as Keepwell does: the token's SHA-256 is looked
//    up in api_tokens (with the membership's role), and the answer is kept for 5 s like Keepwell's
//    token cache, so both servers send the database the same statements per request;
//  - GET /conversations: one keyset query for a page of the workspace's conversations, newest
//    activity first, on the same indexes and with the same filters as GET /api/v1/conversations,
//    each row rendered as JSON by PostgreSQL with its tags;
//  - POST /conversations/:id/notes: one transaction that moves the conversation's clock (what a note
//    changes in Keepwell: last_activity_at, updated_at, message_count) and inserts the note.
// Every statement is a named (prepared) one, so PostgreSQL plans it once per connection.
// Nothing else: no validation library, no events, no audit, no logging.
import { createHash } from "node:crypto";
import Fastify, { type FastifyReply, type FastifyRequest } from "fastify";
import pg from "pg";

/** Keepwell's pool size on PostgreSQL (openPostgres in apps/server/src/db/database.ts). */
const POOL_SIZE = 10;
/** As long as Keepwell keeps a resolved API token (access/authenticate.ts). */
const TOKEN_CACHE_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A timestamptz as PostgreSQL prints it, e.g. 2026-12-08 01:36:39.442123+00. */
const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d){0,2}$/;
const STATUSES = new Set(["open", "pending", "snoozed", "resolved"]);

interface Caller {
  agentId: string;
  workspaceId: string;
  role: string;
}

// The bench names these sessions through PGAPPNAME, which `pg` reads, to tell their CPU from Keepwell's.
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: POOL_SIZE });
pool.on("error", () => {});

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

// ── Authentication ───────────────────────────────────────────────────────────────────────────────

const tokens = new Map<string, { caller: Caller; expiresAt: number | null; freshUntil: number }>();

async function authenticate(request: FastifyRequest): Promise<Caller> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  if (!match) throw new HttpError(401, "Authorization must be 'Bearer <token>'");
  const hash = createHash("sha256").update(match[1]).digest("hex");
  const now = Date.now();
  const known = tokens.get(hash);
  if (known && known.freshUntil > performance.now() && (known.expiresAt === null || known.expiresAt > now))
    return known.caller;
  const { rows } = await pool.query<{
    agent_id: string;
    workspace_id: string;
    role: string;
    expires_at: Date | null;
  }>({
    name: "floor_token",
    text: `select t.agent_id, t.workspace_id, m.role, t.expires_at
           from api_tokens t
           join memberships m on m.workspace_id = t.workspace_id and m.agent_id = t.agent_id
           where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`,
    values: [hash],
  });
  const row = rows[0];
  if (!row) {
    tokens.delete(hash);
    throw new HttpError(401, "The API token is unknown, revoked or expired");
  }
  const caller = { agentId: row.agent_id, workspaceId: row.workspace_id, role: row.role };
  tokens.set(hash, {
    caller,
    expiresAt: row.expires_at ? row.expires_at.getTime() : null,
    freshUntil: performance.now() + TOKEN_CACHE_MS,
  });
  return caller;
}

// ── GET /conversations ───────────────────────────────────────────────────────────────────────────

interface ListQuery {
  status?: string;
  inbox_id?: string;
  assignee?: string;
  tag?: string;
  contact_id?: string;
  cursor?: string;
  limit?: string;
}

/** Each row as the API's JSON: the conversation's columns (timestamps in ISO form) and its tags. */
const ROW_JSON = `json_build_object(
    'id', c.id, 'number', c.number, 'inbox_id', c.inbox_id, 'contact_id', c.contact_id,
    'channel', c.channel, 'subject', c.subject, 'status', c.status, 'priority', c.priority,
    'assignee_id', c.assignee_id, 'snoozed_until', c.snoozed_until, 'preview', c.preview,
    'message_count', c.message_count,
    'tags', coalesce((select json_agg(json_build_object('id', t.id, 'name', t.name, 'color', t.color)
                                      order by lower(t.name))
                      from conversation_tags ct
                      join tags t on t.workspace_id = ct.workspace_id and t.id = ct.tag_id
                      where ct.workspace_id = c.workspace_id and ct.conversation_id = c.id), '[]'::json),
    'first_customer_message_at', c.first_customer_message_at,
    'first_human_response_at', c.first_human_response_at, 'waiting_since', c.waiting_since,
    'resolved_at', c.resolved_at, 'last_activity_at', c.last_activity_at,
    'created_at', c.created_at, 'updated_at', c.updated_at)::text`;

/** The cursor is the last row's (last_activity_at, id), the timestamp as PostgreSQL prints it (µs). */
function readCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!at || !id || !UUID.test(id) || !TIMESTAMP.test(at))
    throw new HttpError(400, "cursor is not one this server issued");
  return [at, id];
}

/**
 * One statement per combination of filters, each with its own name: the conditions follow the leading
 * columns of the conversations indexes (workspace, then assignee / inbox / status / contact) and the
 * order is the indexes' (last_activity_at desc, id desc), so every page is an index walk with no sort.
 */
function listStatement(query: ListQuery, caller: Caller, limit: number): pg.QueryConfig {
  const values: unknown[] = [caller.workspaceId];
  const where = ["c.workspace_id = $1"];
  const name: string[] = ["floor_list"];
  const add = (key: string, condition: (param: string) => string, value: unknown) => {
    values.push(value);
    where.push(condition(`$${values.length}`));
    name.push(key);
  };
  if (query.status !== undefined) {
    if (!STATUSES.has(query.status)) throw new HttpError(400, "status is not a conversation status");
    add("status", (p) => `c.status = ${p}`, query.status);
  }
  if (query.inbox_id !== undefined) {
    if (!UUID.test(query.inbox_id)) throw new HttpError(400, "inbox_id is not an id");
    add("inbox", (p) => `c.inbox_id = ${p}`, query.inbox_id);
  }
  if (query.contact_id !== undefined) {
    if (!UUID.test(query.contact_id)) throw new HttpError(400, "contact_id is not an id");
    add("contact", (p) => `c.contact_id = ${p}`, query.contact_id);
  }
  let order = "c.last_activity_at desc, c.id desc";
  if (query.assignee === "none") {
    where.push("c.assignee_id is null");
    name.push("unassigned");
    // "is null" does not count as an equality for the index's order; naming the (constant) column
    // first lets PostgreSQL walk (workspace_id, assignee_id, status, last_activity_at, id) in order.
    if (query.status !== undefined) order = `c.assignee_id, ${order}`;
  } else if (query.assignee !== undefined) {
    const assignee = query.assignee === "me" ? caller.agentId : query.assignee;
    if (!UUID.test(assignee)) throw new HttpError(400, "assignee is not an id, none or me");
    add("assignee", (p) => `c.assignee_id = ${p}`, assignee);
  }
  if (query.tag !== undefined) {
    // The tag is named; its id is found once per query (an InitPlan), then each row is one probe.
    add(
      "tag",
      (p) =>
        `exists (select 1 from conversation_tags ct where ct.workspace_id = c.workspace_id and ct.conversation_id = c.id
                   and ct.tag_id = (select t.id from tags t where t.workspace_id = $1 and lower(t.name) = lower(${p})))`,
      query.tag.trim(),
    );
  }
  if (query.cursor !== undefined) {
    const [at, id] = readCursor(query.cursor);
    values.push(at, id);
    where.push(`(c.last_activity_at, c.id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
    name.push("after");
  }
  values.push(limit + 1);
  return {
    name: name.join("_"),
    text: `select ${ROW_JSON} as json, c.last_activity_at::text as at, c.id
           from conversations c
           where ${where.join(" and ")}
           order by ${order}
           limit $${values.length}`,
    values,
  };
}

async function listConversations(request: FastifyRequest<{ Querystring: ListQuery }>, reply: FastifyReply) {
  const caller = await authenticate(request);
  const limit = request.query.limit === undefined ? 25 : Number(request.query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new HttpError(400, "limit must be a whole number from 1 to 100");
  const { rows } = await pool.query<{ json: string; at: string; id: string }>(
    listStatement(request.query, caller, limit),
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next =
    rows.length > limit && last ? Buffer.from(`${last.at}|${last.id}`).toString("base64url") : null;
  // The rows are JSON text already: joined, not parsed and serialized again.
  return reply
    .type("application/json; charset=utf-8")
    .send(`{"data":[${page.map((row) => row.json).join(",")}],"next_cursor":${JSON.stringify(next)}}`);
}

// ── POST /conversations/:id/notes ────────────────────────────────────────────────────────────────

const MESSAGE_COLUMNS =
  "id, conversation_id, kind, author_agent_id, author_contact_id, body_text, body_html, delivery_state, delivery_error, sent_by_human, metadata, created_at";

async function addNote(
  request: FastifyRequest<{ Params: { id: string }; Body: { body_text?: unknown; body_html?: unknown } }>,
  reply: FastifyReply,
) {
  const caller = await authenticate(request);
  if (caller.role === "viewer") throw new HttpError(403, "Viewers cannot write notes");
  const conversationId = request.params.id;
  if (!UUID.test(conversationId)) throw new HttpError(404, "Conversation not found");
  const { body_text: text, body_html: html } = request.body ?? {};
  if (typeof text !== "string" || !text.trim())
    throw new HttpError(400, "body_text must be a non-empty text");
  if (html !== undefined && typeof html !== "string") throw new HttpError(400, "body_html must be a text");
  const client = await pool.connect();
  try {
    await client.query("begin");
    // The update locks the conversation row until commit, as Keepwell's select … for update does.
    const touched = await client.query({
      name: "floor_note_touch",
      text: `update conversations
             set last_activity_at = now(), updated_at = now(), message_count = message_count + 1
             where workspace_id = $1 and id = $2`,
      values: [caller.workspaceId, conversationId],
    });
    if (touched.rowCount !== 1) {
      await client.query("rollback");
      throw new HttpError(404, "Conversation not found");
    }
    const { rows } = await client.query({
      name: "floor_note_insert",
      text: `insert into messages (workspace_id, conversation_id, kind, author_agent_id, body_text, body_html, created_at)
             values ($1, $2, 'note', $3, $4, $5, now())
             returning ${MESSAGE_COLUMNS}`,
      values: [caller.workspaceId, conversationId, caller.agentId, text, html ?? null],
    });
    await client.query("commit");
    return reply.code(201).send({ ...rows[0], attachments: [] });
  } catch (error) {
    if (!(error instanceof HttpError)) await client.query("rollback").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

// ── The server ───────────────────────────────────────────────────────────────────────────────────

const app = Fastify({ logger: false });
app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
  if (error instanceof HttpError) return reply.code(error.status).send({ error: error.message });
  // Fastify's own (a body that is not JSON, …) keep their status.
  if (error.statusCode && error.statusCode < 500)
    return reply.code(error.statusCode).send({ error: error.message });
  process.stderr.write(`floor: ${error.stack ?? error}\n`);
  return reply.code(500).send({ error: "internal error" });
});
app.get("/readyz", async () => {
  await pool.query("select 1");
  return { ok: true };
});
app.get("/conversations", listConversations);
app.post("/conversations/:id/notes", addNote);

await app.listen({ port: Number(process.env.PORT), host: "127.0.0.1" });
process.stdout.write("ready\n");

// Started with an IPC channel: when the bench process goes away, so does the floor.
process.on("disconnect", () => process.exit(0));
process.once("SIGTERM", () => void app.close().then(() => pool.end().then(() => process.exit(0))));
