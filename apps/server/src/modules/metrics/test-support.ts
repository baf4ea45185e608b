import { sql } from "kysely";
import { RECOMPUTE_QUEUE, REBUILD_QUEUE } from "./jobs.ts";
import { randomUUID } from "node:crypto";
import type { Channel, Role } from "../../db/schema.ts";
import type { Principal } from "../../http/principal.ts";
import { createTestWorkspace, eventually, type TestServer, type TestWorkspace } from "../../test/harness.ts";
import type { PendingEvent } from "../conversations/activity.ts";
import { updateConversation } from "../conversations/conversation-update.ts";
import { postMessage, writeMessage } from "../conversations/message-service.ts";
import { lockConversation } from "../conversations/queries.ts";
import { createConversation } from "../conversations/service.ts";
import { writeEmailMessage } from "../email/conversation-port.ts";
import { createInbox } from "../inboxes/service.ts";
import { updateWorkspace } from "../workspaces/service.ts";

export interface TimelineWorkspace extends TestWorkspace {
  inboxes: Record<Channel, string>;
  as(role: Role): Principal;
}

/** A workspace with one inbox per channel, whose events go through the running server's sinks. */
export async function timelineWorkspace(server: TestServer, name: string): Promise<TimelineWorkspace> {
  const ws = await createTestWorkspace(server, name);
  const db = server.ctx.db;
  const suffix = randomUUID().slice(0, 8);
  const inboxes = {
    email: (
      await createInbox(db, ws.workspaceId, {
        name: "Email",
        channel: "email",
        address: `help-${suffix}@${name.toLowerCase()}.test`,
      })
    ).id,
    chat: (await createInbox(db, ws.workspaceId, { name: "Chat", channel: "chat" })).id,
    callback: (await createInbox(db, ws.workspaceId, { name: "Callbacks", channel: "callback" })).id,
    api: (await createInbox(db, ws.workspaceId, { name: "API", channel: "api" })).id,
  };
  const as = (role: Role): Principal => ({
    agentId: ws.agents[role],
    workspaceId: ws.workspaceId,
    role,
    via: "token",
    credentialId: "test",
  });
  return { ...ws, inboxes, as };
}

/**
 * Writes a conversation's history at chosen times through the conversations service, as the API and
 * the channels do, so the metrics sink sees exactly the events production publishes.
 */
export function timeline(server: TestServer, ws: TimelineWorkspace, options: { settle?: boolean } = {}) {
  const ctx = server.ctx;
  const steps = {
    async open(
      channel: Channel,
      at: string,
      options: { by?: Role; kind?: "incoming" | "outgoing"; email?: string } = {},
    ) {
      const created = await createConversation(
        ctx,
        ws.as(options.by ?? "agent"),
        {
          inbox_id: ws.inboxes[channel],
          subject: "Help",
          contact: { email: options.email ?? `c-${randomUUID().slice(0, 8)}@example.com` },
          message: { kind: options.kind ?? "incoming", body_text: "Something is wrong" },
        },
        { at: new Date(at) },
      );
      return created.id;
    },
    async customer(id: string, at: string) {
      await postMessage(
        ctx,
        ws.as("agent"),
        id,
        { kind: "incoming", body_text: "More" },
        { at: new Date(at) },
      );
    },
    async reply(id: string, at: string, by: Role = "agent") {
      await postMessage(ctx, ws.as(by), id, { kind: "outgoing", body_text: "Answer" }, { at: new Date(at) });
    },
    async note(id: string, at: string, by: Role = "agent") {
      await postMessage(ctx, ws.as(by), id, { kind: "note", body_text: "Internal" }, { at: new Date(at) });
    },
    async status(id: string, status: "open" | "resolved" | "pending", at: string, by: Role = "agent") {
      await updateConversation(ctx, ws.as(by), id, { status }, { at: new Date(at) });
    },
    async assign(id: string, to: Role, at: string) {
      await updateConversation(ctx, ws.as("admin"), id, { assignee_id: ws.agents[to] }, { at: new Date(at) });
    },
    /** A message written the way the email channel writes machine mail or a reply from an outside client. */
    async channelMessage(
      id: string,
      at: string,
      kind: "auto-reply" | "outside-client-reply",
      by: Role = "agent",
    ) {
      const events: PendingEvent[] = [];
      await ctx.events.transaction(ws.workspaceId, events, async (trx) => {
        const conversation = (await lockConversation(trx, ws.workspaceId, id))!;
        const common = { bodyText: "…", bodyHtml: null, deliveryState: null, at: new Date(at) } as const;
        if (kind === "auto-reply") {
          await writeEmailMessage(
            trx,
            ws.workspaceId,
            conversation,
            {
              ...common,
              kind: "incoming",
              authorAgentId: null,
              authorContactId: conversation.contact_id,
              sentByHuman: false,
              metadata: { email: { auto_reply: true } },
            },
            { countsAsCustomer: false },
            events,
          );
        } else {
          const message = {
            ...common,
            kind: "outgoing" as const,
            authorAgentId: ws.agents[by],
            authorContactId: null,
            sentByHuman: true,
            metadata: { email: { sent_from_outside_client: true } },
          };
          await writeMessage(trx, ws.workspaceId, conversation, message, [], events);
        }
      });
    },
    async settings(settings: Parameters<typeof updateWorkspace>[2]["settings"]) {
      await updateWorkspace(ctx, ws.as("owner"), { settings });
    },
  };
  return options.settle === false ? steps : settledAfterEach(ctx, steps);
}

// biome-ignore lint/suspicious/noExplicitAny: any step's arguments
type Steps = Record<string, (...args: any[]) => Promise<unknown>>;

/** Waits for the durable listeners and the metrics jobs they queued (see settledAfterEach). */
export async function metricsSettled(ctx: TestServer["ctx"]): Promise<void> {
  await ctx.events.consumers.settled();
  await eventually(async () => {
    const pending = await sql<{ n: number }>`
      select count(*)::int as n from pgboss.job
      where name in (${RECOMPUTE_QUEUE}, ${REBUILD_QUEUE}) and state in ('created', 'retry', 'active')`.execute(
      ctx.db,
    );
    return pending.rows[0]?.n === 0;
  });
}

/**
 * Each step returns once the durable listeners (metrics among them) have heard of it, and once any
 * recompute the metrics listener handed to a job (while a rebuild held the rollups) has run.
 */
function settledAfterEach<T extends Steps>(ctx: TestServer["ctx"], steps: T): T {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, step] of Object.entries(steps)) {
    wrapped[name] = async (...args: unknown[]) => {
      const result = await step(...args);
      await metricsSettled(ctx);
      return result;
    };
  }
  return wrapped as T;
}
