import type { AppContext } from "../../context.ts";
import type { Principal } from "../../http/principal.ts";
import { createArticle } from "./articles.ts";
import { createCollection, listCollections } from "./collections.ts";
import { helpSettingsOf, saveHelpSettings } from "./settings.ts";

/*
 * The demo workspace's help center: published, with two collections and a few articles, one of them
 * in English, Bengali and Yoruba so that the language switcher and multilingual search show.
 * Safe to run again: what exists (found by slug) is left alone.
 */

interface DemoArticle {
  collection: string;
  translations: { language: string; title: string; slug: string; body: string }[];
}

const COLLECTIONS = [
  {
    slug: "getting-started",
    name: "Getting started",
    description: "Your first hour with the product",
    translations: { bn: { name: "শুরু করা" }, yo: { name: "Bíbẹ̀rẹ̀" } },
  },
  {
    slug: "billing",
    name: "Billing",
    description: "Plans, invoices, cards and refunds",
    translations: { bn: { name: "বিলিং" }, yo: { name: "Ìsanwó" } },
  },
];

const ARTICLES: DemoArticle[] = [
  {
    collection: "billing",
    translations: [
      {
        language: "en",
        slug: "get-a-refund",
        title: "How to get a refund",
        body: "If something went wrong, we refund within **30 days** of a payment, no questions asked.\n\n1. Open **Settings → Billing**.\n2. Choose the invoice and press **Ask for a refund**.\n\nThe money returns to the card you paid with within 5 to 10 days. Rather talk it through? Use *Talk to us*: a person answers.",
      },
      {
        language: "bn",
        slug: "টাকা-ফেরত",
        title: "কীভাবে টাকা ফেরত পাবেন",
        body: "কোনো সমস্যা হলে পেমেন্টের **৩০ দিনের** মধ্যে আমরা টাকা ফেরত দিই।\n\n1. **সেটিংস → বিলিং** খুলুন।\n2. ইনভয়েস বেছে **টাকা ফেরত চান** চাপুন।\n\nযে কার্ডে পেমেন্ট করেছিলেন, ৫ থেকে ১০ দিনের মধ্যে টাকা সেখানে ফিরে যাবে।",
      },
      {
        language: "yo",
        slug: "gba-owo-pada",
        title: "Bí o ṣe lè gba owó rẹ padà",
        body: "Tí nǹkan kan bá ṣẹlẹ̀, a máa dá owó padà láàárín **ọgbọ̀n ọjọ́** lẹ́yìn ìsanwó.\n\n1. Ṣí **Ètò → Ìsanwó**.\n2. Yan ìwé-owó náà kí o tẹ **Béèrè owó padà**.\n\nOwó náà yóò padà sí káàdì tí o fi sanwó láàárín ọjọ́ márùn-ún sí mẹ́wàá.",
      },
    ],
  },
  {
    collection: "billing",
    translations: [
      {
        language: "en",
        slug: "update-your-card",
        title: "Update your card",
        body: "Open **Settings → Billing → Payment method** and enter the new card. If a payment failed, you keep full access during the grace period while you fix it.",
      },
    ],
  },
  {
    collection: "getting-started",
    translations: [
      {
        language: "en",
        slug: "invite-your-team",
        title: "Invite your team",
        body: "Open **Settings → Team** and send invitations by email. Each person chooses a password when they accept.\n\n| Role | Can |\n|---|---|\n| Agent | answer conversations |\n| Admin | also manage inboxes and people |",
      },
      {
        language: "bn",
        slug: "দলকে-আমন্ত্রণ",
        title: "আপনার দলকে আমন্ত্রণ জানান",
        body: "**সেটিংস → দল** খুলে ইমেলে আমন্ত্রণ পাঠান। আমন্ত্রণ গ্রহণের সময় প্রত্যেকে নিজের পাসওয়ার্ড বেছে নেন।",
      },
    ],
  },
  {
    collection: "getting-started",
    translations: [
      {
        language: "en",
        slug: "reset-your-password",
        title: "Reset your password",
        body: "On the sign-in page, choose **Forgot password** and follow the link we email you. The link works for one hour.",
      },
    ],
  },
];

export async function seedHelpCenter(ctx: AppContext, owner: Principal, progress: (message: string) => void) {
  const settings = await helpSettingsOf(ctx.db, owner.workspaceId);
  if (!settings.enabled && !settings.title) {
    progress("publishing the demo help center");
    await saveHelpSettings(ctx, owner, {
      enabled: true,
      title: "Demo help center",
      contact_email: "support@demo.keepwell.test",
      color: "#0f766e",
    });
  }
  const existing = new Map((await listCollections(ctx.db, owner.workspaceId)).map((c) => [c.slug, c.id]));
  for (const collection of COLLECTIONS) {
    if (!existing.has(collection.slug)) {
      const created = await createCollection(ctx, owner, collection);
      existing.set(collection.slug, created.id);
    }
  }
  const slugs = new Set(
    (
      await ctx.db
        .selectFrom("help_articles")
        .select(["language", "slug"])
        .where("workspace_id", "=", owner.workspaceId)
        .execute()
    ).map((row) => `${row.language}/${row.slug}`),
  );
  for (const article of ARTICLES) {
    let originalId: string | undefined;
    for (const version of article.translations) {
      if (slugs.has(`${version.language}/${version.slug}`)) continue;
      const created = await createArticle(ctx, owner, {
        title: version.title,
        body_markdown: version.body,
        language: version.language,
        slug: version.slug,
        collection_id: existing.get(article.collection),
        status: "published",
        ...(originalId ? { translation_of: originalId } : {}),
      });
      originalId ??= created.id;
    }
  }
}
