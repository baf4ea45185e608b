/*
 * The API's types, derived from the server's own schemas (packages/contracts), so a change there
 * shows up here as a type error. Type-only imports: none of the schema code reaches the bundle.
 */
import type { Static } from "typebox";
import type {
  Company as CompanySchema,
  Contact as ContactSchema,
  ConversationListQuery,
  Conversation as ConversationSchema,
  ConversationStatus as ConversationStatusSchema,
  CreateMessageBody,
  Inbox as InboxSchema,
  Message as MessageSchema,
  SessionInfo as SessionInfoSchema,
  Tag as TagSchema,
  TeamMember as TeamMemberSchema,
  UpdateConversationBody,
  Workspace as WorkspaceSchema,
} from "../../../../packages/contracts/src/index.ts";

export type Conversation = Static<typeof ConversationSchema>;
export type ConversationStatus = Static<typeof ConversationStatusSchema>;
export type ConversationFilter = Omit<Static<typeof ConversationListQuery>, "cursor" | "limit">;
export type ConversationPatch = Static<typeof UpdateConversationBody>;
export type Message = Static<typeof MessageSchema>;
export type NewMessage = Static<typeof CreateMessageBody>;
export type SessionInfo = Static<typeof SessionInfoSchema>;
export type Inbox = Static<typeof InboxSchema>;
export type Tag = Static<typeof TagSchema>;
export type TeamMember = Static<typeof TeamMemberSchema>;
export type Workspace = Static<typeof WorkspaceSchema>;
export type Contact = Static<typeof ContactSchema>;
export type Company = Static<typeof CompanySchema>;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
