import type { FastifyInstance } from "fastify";
import {
  errorResponses,
  IdParams,
  SurveySettings,
  UpdateSurveySettingsBody,
} from "../../../../../packages/contracts/src/index.ts";
import type { AppContext } from "../../context.ts";
import { principalOf } from "../access/authenticate.ts";
import { type SurveySettingsInput, saveSurveySettings, showSurveySettings } from "./settings.ts";

type Params = { Params: { id: string } };

/** Survey settings of an inbox: owners and admins decide what customers are asked and how often. */
export async function surveyRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get<Params>(
    "/inboxes/:id/survey-settings",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["surveys"],
        summary: "The inbox's CSAT survey settings (defaults when never set: off)",
        params: IdParams,
        response: { 200: SurveySettings, ...errorResponses },
      },
    },
    async (request) => showSurveySettings(ctx, principalOf(request), request.params.id),
  );

  app.put<Params & { Body: SurveySettingsInput }>(
    "/inboxes/:id/survey-settings",
    {
      config: { permission: "inboxes:manage" },
      schema: {
        tags: ["surveys"],
        summary: "Switch surveys on or off and set their delay, wording and per-contact frequency",
        params: IdParams,
        body: UpdateSurveySettingsBody,
        response: { 200: SurveySettings, ...errorResponses },
      },
    },
    async (request) => saveSurveySettings(ctx, principalOf(request), request.params.id, request.body),
  );
}
