import { type QueryClient, queryOptions, useSuspenseQuery } from "@tanstack/react-query";
import { ApiError, api, discardEarlyRequests, setCsrfToken } from "./client.ts";
import type { SessionInfo } from "./types.ts";

/** The signed-in agent and workspace, or null when signed out. */
export const sessionQuery = queryOptions({
  queryKey: ["session"],
  queryFn: async (): Promise<SessionInfo | null> => {
    try {
      return remember(await api<SessionInfo>("/auth/session"));
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // The inbox's early read was refused too; after signing in it must be asked again.
        discardEarlyRequests();
        return null;
      }
      throw error;
    }
  },
  staleTime: Number.POSITIVE_INFINITY,
});

function remember(session: SessionInfo): SessionInfo {
  setCsrfToken(session.csrf_token);
  return session;
}

/** The session inside the signed-in part of the app (the route guard has loaded it). */
export function useSession(): SessionInfo {
  const { data } = useSuspenseQuery(sessionQuery);
  if (!data) throw new Error("useSession outside the signed-in app");
  return data;
}

export async function signIn(
  queryClient: QueryClient,
  email: string,
  password: string,
): Promise<SessionInfo> {
  const session = remember(
    await api<SessionInfo>("/auth/login", { method: "POST", body: { email, password } }),
  );
  queryClient.setQueryData(sessionQuery.queryKey, session);
  return session;
}

export async function signOut(queryClient: QueryClient): Promise<void> {
  try {
    await api("/auth/logout", { method: "POST" });
  } finally {
    setCsrfToken(null);
    queryClient.clear();
    queryClient.setQueryData(sessionQuery.queryKey, null);
  }
}

/** Everything cached belongs to the old workspace, so the cache starts afresh. */
export async function switchWorkspace(queryClient: QueryClient, workspaceId: string): Promise<void> {
  const session = remember(
    await api<SessionInfo>("/auth/switch-workspace", { method: "POST", body: { workspace_id: workspaceId } }),
  );
  queryClient.clear();
  queryClient.setQueryData(sessionQuery.queryKey, session);
}

/** Accepting an invitation signs in to the workspace that sent it. */
export async function acceptInvitation(
  queryClient: QueryClient,
  body: { token: string; password: string; name?: string },
): Promise<SessionInfo> {
  const session = remember(await api<SessionInfo>("/invitations/accept", { method: "POST", body }));
  queryClient.clear();
  queryClient.setQueryData(sessionQuery.queryKey, session);
  return session;
}
