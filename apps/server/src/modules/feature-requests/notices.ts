import type { Static } from "typebox";
import type { AppContext } from "../../context.ts";
import type { Db } from "../../db/database.ts";
import type { Principal } from "../../http/principal.ts";
import { invalid, notFound, Problem } from "../../lib/errors.ts";
import { recordAudit } from "../audit/service.ts";
import { getContact } from "../contacts/service.ts";
import { updateConversation } from "../conversations/conversation-update.ts";
import { createConversation, getConversation } from "../conversations/service.ts";
import { getInbox, listInboxes } from "../inboxes/service.ts";
import { isSuppressed } from "../sequences/suppressions.ts";
import { getMember } from "../workspaces/service.ts";
import { asksOfRequest, findRequest, type NoticeRow, noticeColumns, noticesOfRequest } from "./queries.ts";
import type { SendNoticesBody, UpdateNoticeBody } from "./schemas.ts";

/*
 * When a request ships, everyone who asked hears about it from a person: one editable draft per
 * contact, signed by the agent who linked their ask. Sending opens an email conversation from that
 * agent, so the customer's answer comes back to the inbox through the email channel's reply token.
 */

const longDate = new Intl.DateTimeFormat("en", { dateStyle: "long", timeZone: "UTC" });

function firstName(name: string | null): string | null {
  const first = name?.trim().split(/\s+/)[0];
  return first || null;
}

export function noticeText(input: {
  contactName: string | null;
  title: string;
  askedAt: Date;
  agentName: string | null;
}): { subject: string; body: string } {
  const greeting = firstName(input.contactName) ? `Hi ${firstName(input.contactName)},` : "Hi there,";
  const lines = [
    greeting,
    "",
    `On ${longDate.format(input.askedAt)} you asked us for “${input.title}”. It has shipped today, and I wanted you to hear it from us first.`,
    "",
    "Thank you for telling us what you needed: it helped us decide what to build. If it does not work the way you hoped, just reply to this email.",
    "",
    input.agentName ?? "",
  ];
  return { subject: `You asked for it: ${input.title}`, body: `${lines.join("\n").trimEnd()}\n` };
}

/**
 * Drafts one notice per contact who asked, in the shipping transaction. The contact's latest ask
 * decides the sender (who linked it) and the conversation it came from. A request shipped a second
 * time keeps the drafts it has and only adds the contacts who asked since.
 */
export async function draftShipNotices(trx: Db, workspaceId: string, request: { id: string; title: string }) {
  const asks = await asksOfRequest(trx, workspaceId, request.id);
  const latest = new Map<string, (typeof asks)[number]>();
  const first = new Map<string, Date>();
  for (const ask of asks) {
    if (!first.has(ask.contact_id)) first.set(ask.contact_id, ask.asked_at);
    latest.set(ask.contact_id, ask);
  }
  for (const [contactId, ask] of latest) {
    const contact = await getContact(trx, workspaceId, contactId);
    const agent = ask.linked_by ? await getMember(trx, workspaceId, ask.linked_by) : undefined;
    const text = noticeText({
      contactName: contact.name,
      title: request.title,
      askedAt: first.get(contactId)!,
      agentName: agent?.name ?? null,
    });
    await trx
      .insertInto("feature_request_notices")
      .values({
        workspace_id: workspaceId,
        request_id: request.id,
        contact_id: contactId,
        conversation_id: ask.conversation_id,
        sender_agent_id: agent ? agent.id : null,
        subject: text.subject,
        body: text.body,
      })
      .onConflict((oc) => oc.columns(["workspace_id", "request_id", "contact_id"]).doNothing())
      .execute();
  }
}

async function presentNotices(db: Db, workspaceId: string, rows: NoticeRow[]) {
  const out = [];
  for (const row of rows) {
    const contact = await getContact(db, workspaceId, row.contact_id);
    const sender = row.sender_agent_id ? await getMember(db, workspaceId, row.sender_agent_id) : undefined;
    out.push({
      id: row.id,
      contact: { id: contact.id, name: contact.name, email: contact.email },
      sender: sender ? { id: sender.id, name: sender.name } : null,
      conversation_id: row.conversation_id,
      subject: row.subject,
      body: row.body,
      state: row.state,
      skip_reason: row.skip_reason,
      sent_conversation_id: row.sent_conversation_id,
      sent_at: row.sent_at,
    });
  }
  return out;
}

async function requireRequest(db: Db, workspaceId: string, id: string) {
  const request = await findRequest(db, workspaceId, id);
  if (!request) throw notFound("Feature request");
  return request;
}

export async function listNotices(ctx: AppContext, principal: Principal, requestId: string) {
  await requireRequest(ctx.db, principal.workspaceId, requestId);
  const rows = await noticesOfRequest(ctx.db, principal.workspaceId, requestId);
  return { data: await presentNotices(ctx.db, principal.workspaceId, rows) };
}

/** Edits a draft (or leaves its contact out); a notice already sent cannot change. */
export async function updateNotice(
  ctx: AppContext,
  principal: Principal,
  requestId: string,
  noticeId: string,
  input: Static<typeof UpdateNoticeBody>,
) {
  const workspaceId = principal.workspaceId;
  const row = await ctx.db.transaction().execute(async (trx) => {
    await requireRequest(trx, workspaceId, requestId);
    const current = await trx
      .selectFrom("feature_request_notices")
      .select(noticeColumns)
      .where("workspace_id", "=", workspaceId)
      .where("request_id", "=", requestId)
      .where("id", "=", noticeId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound("Notice");
    if (current.state === "sent") {
      throw new Problem(409, "notice_sent", "This notice was already sent and can no longer change");
    }
    if (input.subject !== undefined && !input.subject.trim()) throw invalid("subject", "Write a subject");
    if (input.body !== undefined && !input.body.trim()) throw invalid("body", "Write the message");
    const state = input.skip === undefined ? current.state : input.skip ? "skipped" : "draft";
    const updated = await trx
      .updateTable("feature_request_notices")
      .set({
        subject: input.subject?.trim() ?? current.subject,
        body: input.body ?? current.body,
        state,
        skip_reason: state === "skipped" ? (input.skip ? "left out by an agent" : current.skip_reason) : null,
        updated_at: ctx.now(),
      })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", noticeId)
      .returning(noticeColumns)
      .executeTakeFirstOrThrow();
    await recordAudit(trx, principal, {
      action: "feature_request.notice_updated",
      targetType: "feature_request",
      targetId: requestId,
      data: { notice_id: noticeId, changed: Object.keys(input) },
    });
    return updated;
  });
  return (await presentNotices(ctx.db, workspaceId, [row]))[0];
}

/** Where a notice goes out from: the inbox asked for, else that of the ask's email conversation, else the first email inbox. */
async function senderInbox(
  ctx: AppContext,
  principal: Principal,
  requested: string | undefined,
  notice: NoticeRow,
): Promise<string | null> {
  if (requested) return requested;
  if (notice.conversation_id) {
    const origin = await getConversation(ctx.db, principal.workspaceId, notice.conversation_id).catch(
      () => null,
    );
    if (origin?.channel === "email") return origin.inbox_id;
  }
  const inboxes = await listInboxes(ctx, principal);
  return inboxes.find((inbox) => inbox.channel === "email")?.id ?? null;
}

/**
 * Sends the drafts: each one opens an email conversation with the contact, written by its sender
 * (the agent who linked the ask; the caller when that agent left the workspace), and resolved at
 * once so announcements do not fill the queue; the customer's reply reopens it. A draft is claimed
 * (draft → sent) before its conversation is written, so two clicks never send twice; a failure
 * puts it back. Contacts without an email address or whose address bounced are skipped with a reason.
 */
export async function sendNotices(
  ctx: AppContext,
  principal: Principal,
  requestId: string,
  input: Static<typeof SendNoticesBody>,
) {
  const workspaceId = principal.workspaceId;
  const request = await requireRequest(ctx.db, workspaceId, requestId);
  if (request.status !== "shipped") {
    throw new Problem(409, "not_shipped", "Mark the request shipped before announcing it", {
      field: "status",
    });
  }
  if (input.inbox_id) {
    const inbox = await getInbox(ctx.db, workspaceId, input.inbox_id).catch(() => null);
    if (inbox?.channel !== "email") throw invalid("inbox_id", "Choose an email inbox of this workspace");
  }
  const all = await noticesOfRequest(ctx.db, workspaceId, requestId);
  if (input.notice_ids) {
    const known = new Set(all.map((n) => n.id));
    const missing = input.notice_ids.find((id) => !known.has(id));
    if (missing) throw invalid("notice_ids", `No notice ${missing} on this request`);
  }
  const wanted = input.notice_ids ? new Set(input.notice_ids) : null;
  const drafts = all.filter((n) => n.state === "draft" && (!wanted || wanted.has(n.id)));
  let sent = 0;
  const skipped: { notice_id: string; reason: string }[] = [];
  for (const notice of drafts) {
    const reason = await sendOne(ctx, principal, notice, input.inbox_id);
    if (reason) skipped.push({ notice_id: notice.id, reason });
    else sent += 1;
  }
  const notices = await presentNotices(
    ctx.db,
    workspaceId,
    await noticesOfRequest(ctx.db, workspaceId, requestId),
  );
  return { sent, skipped, notices };
}

/** Sends one draft; returns why it was skipped, or null once sent. */
async function sendOne(
  ctx: AppContext,
  principal: Principal,
  notice: NoticeRow,
  requestedInbox: string | undefined,
): Promise<string | null> {
  const workspaceId = principal.workspaceId;
  const contact = await getContact(ctx.db, workspaceId, notice.contact_id);
  const skip = async (reason: string) => {
    await ctx.db
      .updateTable("feature_request_notices")
      .set({ state: "skipped", skip_reason: reason, updated_at: ctx.now() })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", notice.id)
      .where("state", "=", "draft")
      .execute();
    return reason;
  };
  if (!contact.email) return skip("the contact has no email address");
  if ((await isSuppressed(ctx.db, workspaceId, contact.id)) === "bounced") {
    return skip("mail to this contact bounced");
  }
  const inboxId = await senderInbox(ctx, principal, requestedInbox, notice);
  if (!inboxId) throw invalid("inbox_id", "This workspace has no email inbox to send from");
  const claimed = await ctx.db
    .updateTable("feature_request_notices")
    .set({ state: "sent", sent_at: ctx.now(), updated_at: ctx.now() })
    .where("workspace_id", "=", workspaceId)
    .where("id", "=", notice.id)
    .where("state", "=", "draft")
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return null;
  const sender = notice.sender_agent_id
    ? await getMember(ctx.db, workspaceId, notice.sender_agent_id)
    : undefined;
  const as: Principal = sender ? { ...principal, agentId: sender.id, role: sender.role } : principal;
  try {
    const conversation = await createConversation(ctx, as, {
      inbox_id: inboxId,
      subject: notice.subject,
      contact: { id: contact.id },
      message: { kind: "outgoing", body_text: notice.body },
    });
    // An announcement needs no answer: it leaves the queue at once, and a reply reopens it.
    await updateConversation(ctx, as, conversation.id, { status: "resolved" });
    await ctx.db
      .updateTable("feature_request_notices")
      .set({ sent_conversation_id: conversation.id, sent_message_id: conversation.first_message.id })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", notice.id)
      .execute();
    await recordAudit(ctx.db, principal, {
      action: "feature_request.notice_sent",
      targetType: "feature_request",
      targetId: notice.request_id,
      data: { notice_id: notice.id, conversation_id: conversation.id, sender_agent_id: as.agentId },
    });
    return null;
  } catch (error) {
    await ctx.db
      .updateTable("feature_request_notices")
      .set({ state: "draft", sent_at: null })
      .where("workspace_id", "=", workspaceId)
      .where("id", "=", notice.id)
      .execute();
    throw error;
  }
}
