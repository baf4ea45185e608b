import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.ts";
import { accessRoutes } from "./access/routes.ts";
import { auditRoutes } from "./audit/routes.ts";

export type ModuleRoutes = (app: FastifyInstance, ctx: AppContext) => Promise<void>;

/** Every module that serves /api/v1, in registration order. */
export const apiModules: ModuleRoutes[] = [accessRoutes, auditRoutes];

/** Modules that define background job queues register them here (before jobs start). */
export const moduleJobs: ((ctx: AppContext) => void)[] = [];

/** Work to do once jobs and events are running (schedules, listeners). */
export const moduleStartups: ((ctx: AppContext) => Promise<void>)[] = [];
