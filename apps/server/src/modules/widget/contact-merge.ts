import { reassignContactRows } from "../contacts/merge.ts";

/**
 * Contact merge step: the duplicate's chat visitors and signed-in identities follow the kept
 * contact, so the same browser or the same customer id keeps landing on one person. (external_id
 * alone keys an identity, so no two identities can collide on the kept contact.)
 */
export const moveWidgetContactRows = reassignContactRows("widget_visitors", "widget_identities");
