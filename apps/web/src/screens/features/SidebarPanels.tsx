import { ContactSequences } from "./ContactSequences.tsx";
import { ConversationFeatureRequests } from "./ConversationFeatureRequests.tsx";

/** What this area adds to the customer sidebar: the contact's automated email, and feature requests. */
export function SidebarPanels({ conversationId, contactId }: { conversationId: string; contactId: string }) {
  return (
    <>
      <ContactSequences contactId={contactId} />
      <ConversationFeatureRequests conversationId={conversationId} />
    </>
  );
}
