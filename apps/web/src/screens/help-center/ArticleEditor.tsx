import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, api } from "../../api/client.ts";
import { Field } from "../../components/Field.tsx";
import { FormStatus } from "../settings/FormStatus.tsx";
import { useSubmit } from "../settings/forms.ts";
import { SettingsCard, SettingsPage } from "../settings/SettingsPage.tsx";
import {
  type Article,
  type ArticleStatus,
  articleQuery,
  collectionsQuery,
  previewMarkdown,
  revisionsQuery,
} from "./api.ts";
import { takeReplyDraft } from "./reply-to-article.ts";

interface Draft {
  title: string;
  slug: string;
  language: string;
  collection_id: string;
  status: ArticleStatus;
  body_markdown: string;
}

const FIELDS = ["title", "slug", "language", "collection_id", "status", "body_markdown", "version"] as const;

function draftOf(article: Article | undefined): Draft {
  if (!article) {
    const fromReply = takeReplyDraft();
    return {
      title: fromReply?.title ?? "",
      slug: "",
      language: "",
      collection_id: "",
      status: "draft",
      body_markdown: fromReply?.text ?? "",
    };
  }
  return {
    title: article.title,
    slug: article.slug,
    language: article.language,
    collection_id: article.collection_id ?? "",
    status: article.status,
    body_markdown: article.body_markdown,
  };
}

/** Writes or edits one article: Markdown on the left, the page as readers will see it on the right. */
export function ArticleEditor({
  articleId,
  onOpen,
  onClose,
}: {
  articleId: string | null;
  onOpen: (id: string) => void;
  onClose: () => void;
}) {
  const { data: article, error } = useQuery({
    ...articleQuery(articleId ?? ""),
    enabled: articleId !== null,
  });
  if (articleId && error) {
    return (
      <SettingsPage title="Article">
        <p className="form-error" role="alert">
          {error.message}
        </p>
      </SettingsPage>
    );
  }
  if (articleId && !article) return <p className="hint">Loading…</p>;
  return <Editor key={articleId ?? "new"} article={article} onOpen={onOpen} onClose={onClose} />;
}

function Editor({
  article,
  onOpen,
  onClose,
}: {
  article?: Article;
  onOpen: (id: string) => void;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(article));
  const [mine, setMine] = useState<string | null>(null);
  const form = useSubmit(FIELDS);
  const { data: collections } = useQuery(collectionsQuery);
  const preview = usePreview(draft.body_markdown);
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const conflict = form.error?.problem.type.endsWith("/edit_conflict") ?? false;

  async function save(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const common = {
        title: draft.title,
        body_markdown: draft.body_markdown,
        collection_id: draft.collection_id || null,
        status: draft.status,
        ...(draft.slug ? { slug: draft.slug } : {}),
      };
      if (!article) {
        const created = await api<Article>("/help-center/articles", {
          method: "POST",
          body: { ...common, ...(draft.language ? { language: draft.language } : {}) },
        });
        await queryClient.invalidateQueries({ queryKey: ["help-center"] });
        onOpen(created.id);
        return;
      }
      const saved = await api<Article>(`/help-center/articles/${article.id}`, {
        method: "PATCH",
        body: { version: article.version, ...common },
      });
      queryClient.setQueryData(articleQuery(article.id).queryKey, saved);
      await queryClient.invalidateQueries({ queryKey: ["help-center", "articles"] });
      await queryClient.invalidateQueries({ queryKey: ["help-center", "revisions", article.id] });
    });
  }

  /** After a conflict: load what the other person saved, keeping this text aside to copy from. */
  async function loadLatest() {
    if (!article) return;
    setMine(draft.body_markdown);
    const latest = await queryClient.fetchQuery({ ...articleQuery(article.id), staleTime: 0 });
    setDraft(draftOf(latest));
  }

  return (
    <SettingsPage
      title={article ? article.title : "New article"}
      description={
        article ? (
          <>
            Version {article.version} ·{" "}
            {article.status === "published" ? "published at " : "draft, will be at "}
            <a href={article.public_url} target="_blank" rel="noreferrer">
              {article.public_url}
            </a>
          </>
        ) : (
          "Write in Markdown; the preview shows exactly what readers will see."
        )
      }
    >
      <form className="settings-form help-editor" onSubmit={save} noValidate aria-label="Article">
        <div className="help-editor-meta">
          <Field label="Title" error={form.fieldError("title")}>
            {(props) => (
              <input {...props} value={draft.title} onChange={(e) => set({ title: e.target.value })} />
            )}
          </Field>
          <Field label="Slug (the address)" error={form.fieldError("slug")}>
            {(props) => (
              <input
                {...props}
                value={draft.slug}
                placeholder="made from the title"
                onChange={(e) => set({ slug: e.target.value })}
              />
            )}
          </Field>
          {!article && (
            <Field label="Language" error={form.fieldError("language")}>
              {(props) => (
                <input
                  {...props}
                  value={draft.language}
                  placeholder="the help center's default"
                  onChange={(e) => set({ language: e.target.value.trim() })}
                />
              )}
            </Field>
          )}
          <Field label="Collection" error={form.fieldError("collection_id")}>
            {(props) => (
              <select
                {...props}
                value={draft.collection_id}
                onChange={(e) => set({ collection_id: e.target.value })}
              >
                <option value="">None</option>
                {(collections?.data ?? []).map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.parent_id ? "— " : ""}
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="State" error={form.fieldError("status")}>
            {(props) => (
              <select
                {...props}
                value={draft.status}
                onChange={(e) => set({ status: e.target.value as ArticleStatus })}
              >
                <option value="draft">Draft (only agents see it)</option>
                <option value="published">Published</option>
              </select>
            )}
          </Field>
        </div>
        <div className="help-editor-panes">
          <Field label="Text (Markdown)" error={form.fieldError("body_markdown")}>
            {(props) => (
              <textarea
                {...props}
                className="help-editor-source"
                rows={22}
                value={draft.body_markdown}
                onChange={(e) => set({ body_markdown: e.target.value })}
              />
            )}
          </Field>
          <section className="help-preview" aria-label="Preview">
            <h2 className="hint">Preview</h2>
            {preview.error ? (
              <p className="form-error">{preview.error}</p>
            ) : (
              // The HTML comes from the server's sanitizer (the same one the public pages use).
              // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized on the server
              <div className="help-preview-body" dangerouslySetInnerHTML={{ __html: preview.html }} />
            )}
          </section>
        </div>
        {conflict && (
          <div className="help-conflict" role="alert">
            <p>{form.error?.problem.title}</p>
            <button type="button" className="button" onClick={() => void loadLatest()}>
              Load their version (your text stays below to copy from)
            </button>
          </div>
        )}
        {mine !== null && (
          <details open className="help-mine">
            <summary>Your unsaved text</summary>
            <textarea readOnly rows={8} value={mine} aria-label="Your unsaved text" />
          </details>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={form.busy}>
            {article ? "Save" : "Create article"}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Back to articles
          </button>
          <FormStatus problem={conflict ? undefined : form.formLevel} saved={form.saved} />
        </div>
      </form>
      {article && <Translations article={article} onOpen={onOpen} />}
      {article && <Revisions article={article} />}
    </SettingsPage>
  );
}

/** The server renders the preview (same Markdown engine and sanitizer as the public pages), 250 ms after typing stops. */
function usePreview(markdown: string) {
  const [state, setState] = useState<{ html: string; error?: string }>({ html: "" });
  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      previewMarkdown(markdown, controller.signal)
        .then((result) => setState({ html: result.body_html }))
        .catch((caught) => {
          if (caught instanceof ApiError) setState({ html: "", error: caught.problem.title });
        });
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [markdown]);
  return state;
}

function Translations({ article, onOpen }: { article: Article; onOpen: (id: string) => void }) {
  const queryClient = useQueryClient();
  const [language, setLanguage] = useState("");
  const form = useSubmit(["language"]);
  const others = article.translations.filter((t) => t.id !== article.id);

  async function add(event: FormEvent) {
    event.preventDefault();
    await form.run(async () => {
      const created = await api<Article>("/help-center/articles", {
        method: "POST",
        body: {
          title: article.title,
          body_markdown: article.body_markdown,
          language,
          translation_of: article.id,
          status: "draft",
        },
      });
      await queryClient.invalidateQueries({ queryKey: ["help-center"] });
      onOpen(created.id);
    });
  }

  return (
    <SettingsCard title="Languages">
      {others.length === 0 ? (
        <p className="hint">Only in {article.language} so far.</p>
      ) : (
        <ul className="settings-rows" aria-label="Translations">
          {others.map((t) => (
            <li key={t.id} className="settings-row">
              <button type="button" className="link-button" onClick={() => onOpen(t.id)}>
                {t.language}
              </button>
              <span className="hint"> · {t.status}</span>
            </li>
          ))}
        </ul>
      )}
      <form className="settings-form settings-inline-form" onSubmit={add} noValidate>
        <Field label="Translate into (language code, e.g. bn, ta, yo)" error={form.fieldError("language")}>
          {(props) => (
            <input {...props} value={language} onChange={(e) => setLanguage(e.target.value.trim())} />
          )}
        </Field>
        <div className="form-actions">
          <button type="submit" className="button" disabled={form.busy || !language}>
            Start a translation
          </button>
          <FormStatus problem={form.formLevel} saved={false} />
        </div>
      </form>
    </SettingsCard>
  );
}

function Revisions({ article }: { article: Article }) {
  const queryClient = useQueryClient();
  const { data } = useQuery(revisionsQuery(article.id));
  const form = useSubmit(["version"]);

  function restore(revisionId: string, version: number) {
    if (!window.confirm(`Bring back version ${version}? It is saved as a new version; nothing is lost.`))
      return;
    void form.run(async () => {
      const saved = await api<Article>(
        `/help-center/articles/${article.id}/revisions/${revisionId}/restore`,
        {
          method: "POST",
          body: { version: article.version },
        },
      );
      queryClient.setQueryData(articleQuery(article.id).queryKey, saved);
      await queryClient.invalidateQueries({ queryKey: ["help-center", "revisions", article.id] });
    });
  }

  return (
    <SettingsCard title="History">
      <FormStatus problem={form.error?.problem.title} saved={false} />
      <ul className="settings-rows" aria-label="Revisions">
        {(data?.data ?? []).map((revision) => (
          <li key={revision.id} className="settings-row">
            <div className="settings-row-main">
              Version {revision.version} · {revision.status} ·{" "}
              {new Date(revision.created_at).toLocaleString()}
              {revision.title !== article.title ? ` · “${revision.title}”` : ""}
            </div>
            {revision.version !== article.version && (
              <button type="button" className="button" onClick={() => restore(revision.id, revision.version)}>
                Restore
              </button>
            )}
          </li>
        ))}
      </ul>
    </SettingsCard>
  );
}
