import type { Role } from "../db/schema.ts";

/**
 * The one permission table. Every route names one of these (see FastifyContextConfig.permission);
 * a route without one refuses to register.
 */
const table = {
  "workspace:read": ["owner", "admin", "agent", "viewer"],
  "workspace:manage": ["owner", "admin"],
  "agents:read": ["owner", "admin", "agent", "viewer"],
  "agents:manage": ["owner", "admin"],
  "tokens:manage": ["owner", "admin", "agent"],
  "inboxes:read": ["owner", "admin", "agent", "viewer"],
  "inboxes:manage": ["owner", "admin"],
  "contacts:read": ["owner", "admin", "agent", "viewer"],
  "contacts:write": ["owner", "admin", "agent"],
  "conversations:read": ["owner", "admin", "agent", "viewer"],
  "conversations:write": ["owner", "admin", "agent"],
  "tags:manage": ["owner", "admin", "agent"],
  "saved_replies:read": ["owner", "admin", "agent", "viewer"],
  "saved_replies:manage": ["owner", "admin"],
  "audit:read": ["owner", "admin"],
  "webhooks:manage": ["owner", "admin"],
  "reports:read": ["owner", "admin", "agent", "viewer"],
  "billing:read": ["owner", "admin", "agent", "viewer"],
  "billing:manage": ["owner", "admin"],
  "help_center:read": ["owner", "admin", "agent", "viewer"],
  "help_center:write": ["owner", "admin", "agent"],
  "help_center:manage": ["owner", "admin"],
  "features:read": ["owner", "admin", "agent", "viewer"],
  "features:write": ["owner", "admin", "agent"],
  "features:manage": ["owner", "admin"],
  "sequences:read": ["owner", "admin", "agent", "viewer"],
  "sequences:enroll": ["owner", "admin", "agent"],
  "sequences:manage": ["owner", "admin"],
  "office_hours:manage": ["owner"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof table;

export function can(role: Role, permission: Permission): boolean {
  return (table[permission] as readonly Role[]).includes(role);
}

export const allPermissions = Object.keys(table) as Permission[];

/** Roles ordered by power: an admin may not grant a role above their own. */
const rank: Record<Role, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };
export function outranks(role: Role, other: Role): boolean {
  return rank[role] >= rank[other];
}
