import "@fastify/cookie";
import "@fastify/swagger";
import type { Role } from "../db/schema.ts";

/** Who is calling: resolved from the session cookie or the Bearer token, never from the request body. */
export interface Principal {
  agentId: string;
  workspaceId: string;
  role: Role;
  via: "session" | "token";
  /** Session token hash or API token id: the credential that made this request. */
  credentialId: string;
  csrfToken?: string;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The permission this route needs; "public" routes need no credential. */
    permission?: import("./permissions.ts").Permission | "public" | "authenticated";
  }
}
