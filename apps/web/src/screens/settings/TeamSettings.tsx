import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api } from "../../api/client.ts";
import { agentsQuery } from "../../api/directory.ts";
import { useSession } from "../../api/session.ts";
import type { TeamMember } from "../../api/types.ts";
import { Field } from "../../components/Field.tsx";
import { formatDate } from "./dates.ts";
import { FormStatus } from "./FormStatus.tsx";
import { useSubmit } from "./forms.ts";
import { Avatar } from "./ProfileSettings.tsx";
import { SettingsCard, SettingsPage } from "./SettingsPage.tsx";

type Role = TeamMember["role"];
const ROLES: { value: Role; label: string }[] = [
  { value: "owner", label: "Owner" },
  { value: "admin", label: "Admin" },
  { value: "agent", label: "Agent" },
  { value: "viewer", label: "Viewer" },
];

interface Invitation {
  id: string;
  email: string;
  role: Role;
  expires_at: string;
  created_at: string;
}

const invitationsQuery = {
  queryKey: ["invitations"],
  queryFn: async () => (await api<{ data: Invitation[] }>("/invitations")).data,
};

/** The workspace's agents with their roles, and the invitations still pending. */
export function TeamSettings() {
  return (
    <SettingsPage title="Team & invitations" description="Who works in this workspace, and with which role.">
      <Members />
      <InviteForm />
      <PendingInvitations />
    </SettingsPage>
  );
}

function Members() {
  const session = useSession();
  const queryClient = useQueryClient();
  const { data: agents = [] } = useQuery(agentsQuery);
  const form = useSubmit(["role"]);

  const refresh = () => queryClient.invalidateQueries({ queryKey: agentsQuery.queryKey });
  const changeRole = (agent: TeamMember, role: Role) =>
    form.run(async () => {
      await api(`/agents/${agent.id}`, { method: "PATCH", body: { role } });
      await refresh();
    });
  const remove = (agent: TeamMember) => {
    if (!window.confirm(`Remove ${agent.name || agent.email} from this workspace?`)) return;
    void form.run(async () => {
      await api(`/agents/${agent.id}`, { method: "DELETE" });
      await refresh();
    });
  };

  return (
    <SettingsCard title="Agents">
      <ul className="settings-rows" aria-label="Agents">
        {agents.map((agent) => (
          <li key={agent.id} className="settings-row">
            <Avatar name={agent.name || agent.email} url={agent.avatar_url} />
            <span className="settings-row-main">
              <strong>{agent.name}</strong>
              <span className="hint">{agent.email}</span>
            </span>
            <select
              aria-label={`Role of ${agent.name || agent.email}`}
              value={agent.role}
              disabled={agent.id === session.agent.id || form.busy}
              onChange={(e) => void changeRole(agent, e.target.value as Role)}
            >
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
            {agent.id !== session.agent.id && (
              <button type="button" className="button" onClick={() => remove(agent)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormStatus problem={form.error?.problem.title} saved={false} />
    </SettingsCard>
  );
}

function InviteForm() {
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("agent");
  const form = useSubmit(["email", "role"]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const ok = await form.run(async () => {
      await api("/invitations", { method: "POST", body: { email: email.trim(), role } });
      await queryClient.invalidateQueries({ queryKey: invitationsQuery.queryKey });
    });
    if (ok) setEmail("");
  }

  return (
    <SettingsCard title="Invite someone">
      <form className="settings-form settings-inline-form" onSubmit={submit} noValidate>
        <Field label="Email" error={form.fieldError("email")}>
          {(props) => (
            <input {...props} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Role" error={form.fieldError("role")}>
          {(props) => (
            <select {...props} value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            Send invitation
          </button>
          <FormStatus problem={form.formLevel} saved={form.saved} />
        </div>
      </form>
    </SettingsCard>
  );
}

function PendingInvitations() {
  const queryClient = useQueryClient();
  const { data: invitations = [] } = useQuery(invitationsQuery);
  const form = useSubmit([]);
  const revoke = (id: string) =>
    form.run(async () => {
      await api(`/invitations/${id}`, { method: "DELETE" });
      await queryClient.invalidateQueries({ queryKey: invitationsQuery.queryKey });
    });

  return (
    <SettingsCard title="Pending invitations">
      {invitations.length === 0 ? (
        <p className="hint">No invitation is waiting for an answer.</p>
      ) : (
        <ul className="settings-rows" aria-label="Pending invitations">
          {invitations.map((invitation) => (
            <li key={invitation.id} className="settings-row">
              <span className="settings-row-main">
                <strong>{invitation.email}</strong>
                <span className="hint">
                  {invitation.role}, valid until {formatDate(invitation.expires_at)}
                </span>
              </span>
              <button type="button" className="button" onClick={() => void revoke(invitation.id)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormStatus problem={form.formLevel} saved={false} />
    </SettingsCard>
  );
}
