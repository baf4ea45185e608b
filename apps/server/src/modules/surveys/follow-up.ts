import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import type { PendingEvent } from "../conversations/activity.ts";
import { updateConversation } from "../conversations/conversation-update.ts";
import { createConversation, getConversation } from "../conversations/service.ts";
import { listTeam } from "../workspaces/team.ts";
import { findSurvey, lockResponse } from "./queries.ts";
import { activities, addActivity } from "./responses.ts";

export interface FollowUpJob {
  workspace_id: string;
  survey_id: string;
}

/**
 * Who answers bad news: the lead of the conversation's agent. Keepwell has no teams or leads yet, so
 * it is the workspace's first owner.
 * TODO(workspaces): ask for the agent's lead once teams exist.
 */
async function leadFor(ctx: AppContext, workspaceId: string) {
  const team = await listTeam(ctx, { workspaceId } as Principal);
  const owners = team.filter((m) => m.role === "owner");
  owners.sort(
    (a, b) => new Date(a.joined_at).getTime() - new Date(b.joined_at).getTime() || (a.id < b.id ? -1 : 1),
  );
  return owners[0] ?? null;
}

/**
 * Opens the follow-up of a bad rating: a new conversation with the customer in the same inbox,
 * holding their rating and comment as their message (so it waits for an answer and counts in ASA
 * like any request), assigned to the lead, and linked both ways by activity lines. Runs as a job a
 * little after the rating, so the comment usually comes with it; a rating changed in the meantime
 * to something better opens nothing.
 */
export async function openFollowUp(ctx: AppContext, job: FollowUpJob): Promise<void> {
  const ws = job.workspace_id;
  const survey = await findSurvey(ctx.db, ws, job.survey_id);
  if (!survey) return;
  const current = await ctx.db.transaction().execute((trx) => lockResponse(trx, ws, survey.id));
  if (current?.rating !== "bad" || current.follow_up_conversation_id) return;
  const lead = await leadFor(ctx, ws);
  if (!lead) return;
  const original = await getConversation(ctx.db, ws, survey.conversation_id);
  // The follow-up is written in the lead's name: audit entries need an agent behind every change.
  const actor: Principal = {
    agentId: lead.id,
    workspaceId: ws,
    role: "owner",
    via: "token",
    credentialId: "survey-follow-up",
  };
  const quoted = current.comment ? `\n\n“${current.comment}”` : "";
  const followUp = await createConversation(ctx, actor, {
    inbox_id: original.inbox_id,
    subject:
      `Follow-up: bad rating on #${original.number}${original.subject ? ` ${original.subject}` : ""}`.slice(
        0,
        998,
      ),
    contact: { id: original.contact_id },
    message: { kind: "incoming", body_text: `Rated conversation #${original.number} “bad”.${quoted}` },
  });
  await updateConversation(ctx, actor, followUp.id, { assignee_id: lead.id });
  const now = ctx.now();
  const events: PendingEvent[] = [];
  await ctx.events.transaction(ws, events, async (trx) => {
    // A comment that arrived while the follow-up was being opened found no follow-up to add itself
    // to: it goes there now, under the same lock its writer takes.
    const latest = await lockResponse(trx, ws, survey.id);
    if (latest?.comment && latest.comment !== current.comment) {
      await addActivity(
        trx,
        ws,
        followUp.id,
        activities.commented(latest.rating, latest.comment, survey.id),
        now,
        events,
      );
    }
    await trx
      .updateTable("survey_responses")
      .set({ follow_up_conversation_id: followUp.id })
      .where("workspace_id", "=", ws)
      .where("survey_id", "=", survey.id)
      .execute();
    await addActivity(
      trx,
      ws,
      original.id,
      {
        text: `Follow-up #${followUp.number} opened for ${lead.name} after a bad rating`,
        metadata: {
          action: "survey_follow_up",
          survey_id: survey.id,
          follow_up_conversation_id: followUp.id,
        },
      },
      now,
      events,
    );
    await addActivity(
      trx,
      ws,
      followUp.id,
      {
        text: `Follow-up of #${original.number}: the customer rated it “bad”`,
        metadata: { action: "survey_follow_up_of", survey_id: survey.id, conversation_id: original.id },
      },
      now,
      events,
    );
  });
}
