import type { ReactNode } from "react";

/** The frame of the pages before sign-in: the brand, a title, the form. */
export function AccountCard({
  title,
  children,
  onSubmit,
}: {
  title: string;
  children: ReactNode;
  onSubmit?: (event: React.FormEvent) => void;
}) {
  const body = (
    <>
      <div className="brand brand-large">
        <img src="/favicon.svg" alt="" width="32" height="32" />
        <span>Keepwell</span>
      </div>
      <h1 id="account-title">{title}</h1>
      {children}
    </>
  );
  return (
    <main className="sign-in">
      {onSubmit ? (
        <form className="sign-in-card" onSubmit={onSubmit} noValidate aria-labelledby="account-title">
          {body}
        </form>
      ) : (
        <section className="sign-in-card" aria-labelledby="account-title">
          {body}
        </section>
      )}
    </main>
  );
}
