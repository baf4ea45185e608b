import type { ReactNode } from "react";

/** The frame of one settings screen: its heading, an optional line of explanation, then the content. */
export function SettingsPage({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section className="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title">{title}</h1>
      {description && <p className="hint settings-description">{description}</p>}
      {children}
    </section>
  );
}

/** A titled group of fields or rows inside a settings screen. */
export function SettingsCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="settings-card">
      <h2>{title}</h2>
      {children}
    </section>
  );
}
