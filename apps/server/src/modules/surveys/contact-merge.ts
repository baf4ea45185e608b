import { reassignContactRows } from "../contacts/merge.ts";

/** Contact merge step: the duplicate's surveys (and so their responses) count for the kept contact. */
export const moveSurveyContactRows = reassignContactRows("surveys");
