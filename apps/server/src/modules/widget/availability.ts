import type { AppContext } from "../../context.ts";
import { realtimeHubOf } from "../../realtime/socket-hub.ts";
import { scheduleOf } from "../metrics/business-hours.ts";
import { addDays, localDateOf, parseDate } from "../metrics/zoned-time.ts";
import { founderOnDuty } from "../office-hours/service.ts";
import { readWorkspaceSettings } from "../workspaces/service.ts";
import type { PublicWidget } from "./settings.ts";

export interface Availability {
  /** True when an agent is online and (if the inbox follows them) the business is open. */
  online: boolean;
  agents_online: number;
  /** Within the workspace's opening hours (always true when it has none, or the inbox ignores them). */
  open: boolean;
  /** When the business opens next, when closed now. */
  next_open_at: string | null;
  reply_time: string;
  /** A founder holding office hours now: the widget says the visitor is talking to them today. */
  founder: { name: string; avatar_url: string } | null;
}

/**
 * Who can answer now. Agents count as online when they hold an agent-app stream on any instance
 * (the realtime hub's presence board); opening hours are the workspace's.
 */
export async function availabilityOf(ctx: AppContext, widget: PublicWidget): Promise<Availability> {
  const agents = realtimeHubOf(ctx)?.presence(widget.workspace_id).length ?? 0;
  let open = true;
  let nextOpen: number | null = null;
  if (widget.respect_business_hours) {
    const schedule = scheduleOf(await readWorkspaceSettings(ctx.db, widget.workspace_id));
    if (schedule.hasHours) {
      const now = ctx.now().getTime();
      const today = parseDate(localDateOf(now, schedule.timeZone));
      open = false;
      for (let day = -1; day <= 14 && nextOpen === null; day++) {
        for (const [start, end] of schedule.openIntervals(addDays(today, day))) {
          if (start <= now && now < end) open = true;
          if (start > now && nextOpen === null) nextOpen = start;
        }
        if (open) break;
      }
      if (open) nextOpen = null;
    }
  }
  const founder = await founderOnDuty(ctx, widget.workspace_id, ctx.now());
  return {
    founder: founder
      ? {
          name: founder.name,
          avatar_url: `/widget/v1/${widget.public_key}/founder/avatar?v=${founder.agentId.slice(0, 8)}`,
        }
      : null,
    online: open && agents > 0,
    agents_online: agents,
    open,
    next_open_at: nextOpen === null ? null : new Date(nextOpen).toISOString(),
    reply_time: widget.reply_time,
  };
}
