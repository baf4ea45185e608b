import type { AgentPresenceState } from "../../../../packages/contracts/src/index.ts";

/** What one instance says about one agent: how many sockets it holds for them, and what they view. */
export interface PresenceReport {
  agent_id: string;
  name: string;
  instance_id: string;
  sockets: number;
  viewing: string[];
}

interface Entry {
  name: string;
  sockets: number;
  viewing: string[];
  seenAt: number;
}

/**
 * Every instance keeps this board from the presence reports all instances publish. Reports carry
 * absolute counts, not deltas, so a missed report is healed by the next one; each instance repeats
 * its reports periodically, and an instance that stops reporting (crashed) ages out.
 */
export class PresenceBoard {
  /** workspace → agent → instance → last report */
  readonly #workspaces = new Map<string, Map<string, Map<string, Entry>>>();

  /** Applies a report; answers the agent's merged presence when it changed, otherwise null. */
  apply(workspaceId: string, report: PresenceReport, now: number): AgentPresenceState | null {
    let agents = this.#workspaces.get(workspaceId);
    if (!agents) {
      agents = new Map();
      this.#workspaces.set(workspaceId, agents);
    }
    let instances = agents.get(report.agent_id);
    if (!instances) {
      instances = new Map();
      agents.set(report.agent_id, instances);
    }
    const before = merge(report.agent_id, instances);
    if (report.sockets > 0) {
      instances.set(report.instance_id, {
        name: report.name,
        sockets: report.sockets,
        viewing: report.viewing,
        seenAt: now,
      });
    } else {
      instances.delete(report.instance_id);
    }
    const after = merge(report.agent_id, instances, report.name);
    this.#prune(workspaceId, report.agent_id);
    return same(before, after) ? null : after;
  }

  /** Agents online in the workspace, by name. */
  list(workspaceId: string): AgentPresenceState[] {
    const agents = this.#workspaces.get(workspaceId);
    if (!agents) return [];
    return [...agents.entries()]
      .map(([agentId, instances]) => merge(agentId, instances))
      .filter((p) => p.online)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Drops reports not repeated since `olderThan`; answers the agents whose presence changed. */
  expire(olderThan: number): { workspaceId: string; presence: AgentPresenceState }[] {
    const changed: { workspaceId: string; presence: AgentPresenceState }[] = [];
    for (const [workspaceId, agents] of this.#workspaces) {
      for (const [agentId, instances] of agents) {
        const before = merge(agentId, instances);
        let dropped = false;
        for (const [instanceId, entry] of instances) {
          if (entry.seenAt < olderThan) {
            instances.delete(instanceId);
            dropped = true;
          }
        }
        if (!dropped) continue;
        const after = merge(agentId, instances, before.name);
        if (!same(before, after)) changed.push({ workspaceId, presence: after });
        this.#prune(workspaceId, agentId);
      }
    }
    return changed;
  }

  #prune(workspaceId: string, agentId: string): void {
    const agents = this.#workspaces.get(workspaceId);
    if (agents?.get(agentId)?.size === 0) agents.delete(agentId);
    if (agents?.size === 0) this.#workspaces.delete(workspaceId);
  }
}

function merge(agentId: string, instances: Map<string, Entry>, fallbackName = ""): AgentPresenceState {
  let sockets = 0;
  let name = fallbackName;
  const viewing = new Set<string>();
  for (const entry of instances.values()) {
    sockets += entry.sockets;
    name = entry.name;
    for (const id of entry.viewing) viewing.add(id);
  }
  return { agent_id: agentId, name, online: sockets > 0, sockets, viewing: [...viewing].sort() };
}

function same(a: AgentPresenceState, b: AgentPresenceState): boolean {
  return a.online === b.online && a.sockets === b.sockets && a.viewing.join() === b.viewing.join();
}
