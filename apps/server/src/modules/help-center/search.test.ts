import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiClient,
  createTestWorkspace,
  databaseKinds,
  startTestServer,
  type TestServer,
  type TestWorkspace,
} from "../../test/harness.ts";
import { suggestArticles } from "./search.ts";

/*
 * Relevance and typo tolerance on a small multilingual sample written for this test: two articles
 * per language on different subjects, so that each query has one right answer and one wrong one.
 */
const SAMPLE: { key: string; language: string; title: string; body: string }[] = [
  {
    key: "en-refund",
    language: "en",
    title: "How to get a refund",
    body: "Ask for a refund within 30 days of payment. The money returns to your card.",
  },
  {
    key: "en-invite",
    language: "en",
    title: "Invite your teammates",
    body: "Open Settings, then Team, and send an invitation by email.",
  },
  {
    key: "bn-refund",
    language: "bn",
    title: "টাকা ফেরত পাওয়ার নিয়ম",
    body: "পেমেন্টের ৩০ দিনের মধ্যে টাকা ফেরত চাইতে পারেন। টাকা আপনার কার্ডে ফিরে যাবে।",
  },
  {
    key: "bn-invite",
    language: "bn",
    title: "সহকর্মীদের আমন্ত্রণ জানান",
    body: "সেটিংসে গিয়ে দল খুলুন এবং ইমেলে আমন্ত্রণ পাঠান।",
  },
  {
    key: "ta-refund",
    language: "ta",
    title: "பணத்தைத் திரும்பப் பெறுவது எப்படி",
    body: "பணம் செலுத்திய 30 நாட்களுக்குள் பணத்தைத் திரும்பக் கேட்கலாம். பணம் உங்கள் அட்டைக்குத் திரும்பும்.",
  },
  {
    key: "ta-invite",
    language: "ta",
    title: "சக ஊழியர்களை அழைக்கவும்",
    body: "அமைப்புகளில் குழுவைத் திறந்து மின்னஞ்சல் மூலம் அழைப்பு அனுப்புங்கள்.",
  },
  {
    key: "mr-refund",
    language: "mr",
    title: "पैसे परत कसे मिळवावे",
    body: "पेमेंटनंतर ३० दिवसांच्या आत परतावा मागा. पैसे तुमच्या कार्डवर परत जातील.",
  },
  {
    key: "mr-invite",
    language: "mr",
    title: "सहकाऱ्यांना आमंत्रित करा",
    body: "सेटिंग्जमध्ये टीम उघडा आणि ईमेलने आमंत्रण पाठवा.",
  },
  {
    key: "ha-refund",
    language: "ha",
    title: "Yadda ake samun maida kuɗi",
    body: "Nemi maida kuɗi cikin kwanaki 30 bayan biya. Kuɗin zai koma katinka.",
  },
  {
    key: "ha-invite",
    language: "ha",
    title: "Gayyaci abokan aikinka",
    body: "Buɗe Saituna, sannan Ƙungiya, ka aika gayyata ta imel.",
  },
  {
    key: "yo-refund",
    language: "yo",
    title: "Bí o ṣe lè gba owó rẹ padà",
    body: "Béèrè fún owó rẹ padà láàárín ọgbọ̀n ọjọ́ lẹ́yìn ìsanwó. Owó náà yóò padà sí káàdì rẹ.",
  },
  {
    key: "yo-invite",
    language: "yo",
    title: "Pe àwọn alábàáṣiṣẹ́pọ̀ rẹ",
    body: "Ṣí Ètò, lẹ́yìn náà Ẹgbẹ́, kí o sì fi ìpè ránṣẹ́ nípasẹ̀ ímeèlì.",
  },
];

const CASES: { query: string; language: string; expected: string; why: string }[] = [
  { query: "refund", language: "en", expected: "en-refund", why: "exact word" },
  { query: "refnud", language: "en", expected: "en-refund", why: "transposed letters" },
  { query: "invit", language: "en", expected: "en-invite", why: "prefix while typing" },
  { query: "teammats invitation", language: "en", expected: "en-invite", why: "typo in one of two words" },
  { query: "টাকা ফেরত", language: "bn", expected: "bn-refund", why: "Bengali words" },
  { query: "আমন্ত্রন", language: "bn", expected: "bn-invite", why: "Bengali with a wrong letter (ন for ণ)" },
  { query: "பணத்தைத்", language: "ta", expected: "ta-refund", why: "Tamil word" },
  { query: "அழைப்ப", language: "ta", expected: "ta-invite", why: "Tamil prefix" },
  { query: "परत", language: "mr", expected: "mr-refund", why: "Marathi word" },
  { query: "आमंत्रन", language: "mr", expected: "mr-invite", why: "Marathi misspelt" },
  { query: "maida kudi", language: "ha", expected: "ha-refund", why: "Hausa without the hooked letter" },
  { query: "gayyata", language: "ha", expected: "ha-invite", why: "Hausa word" },
  { query: "owó padà", language: "yo", expected: "yo-refund", why: "Yoruba with tone marks" },
  { query: "owo pada", language: "yo", expected: "yo-refund", why: "Yoruba typed without tone marks" },
  { query: "ìpè", language: "yo", expected: "yo-invite", why: "Yoruba word" },
];

describe.each(databaseKinds)("help center search on %s", (kind) => {
  let server: TestServer;
  let acme: TestWorkspace;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await startTestServer(kind);
    acme = await createTestWorkspace(server, "Acme");
    const owner = apiClient(server.url, acme.tokens.owner);
    for (const article of SAMPLE) {
      const created = await owner.post("/api/v1/help-center/articles", {
        title: article.title,
        body_markdown: article.body,
        language: article.language,
        status: "published",
      });
      expect(created.status, article.key).toBe(201);
      ids[article.key] = created.body.id;
    }
  });
  afterAll(async () => {
    await server?.destroy();
  });

  it.each(CASES)(
    "ranks the right article first for “$query” ($why)",
    async ({ query, language, expected }) => {
      const agent = apiClient(server.url, acme.tokens.agent);
      const response = await agent.get(
        `/api/v1/help-center/search?q=${encodeURIComponent(query)}&language=${language}`,
      );
      expect(response.status).toBe(200);
      expect(
        response.body.data[0]?.id,
        JSON.stringify(response.body.data.map((h: { title: string }) => h.title)),
      ).toBe(ids[expected]);
    },
  );

  it("highlights the matches in an escaped snippet", async () => {
    const agent = apiClient(server.url, acme.tokens.agent);
    const response = await agent.get(`/api/v1/help-center/search?q=${encodeURIComponent("টাকা")}`);
    expect(response.body.data[0].snippet).toContain("<mark>টাকা</mark>");
    const owner = apiClient(server.url, acme.tokens.owner);
    await owner.post("/api/v1/help-center/articles", {
      title: "Tags in templates",
      body_markdown: "Write `<b>zebra</b>` to make it bold.",
      status: "published",
    });
    const escaped = await agent.get("/api/v1/help-center/search?q=zebra");
    const snippet: string = escaped.body.data[0].snippet;
    expect(snippet).toContain("<mark>zebra</mark>");
    expect(snippet.replaceAll("<mark>", "").replaceAll("</mark>", "")).not.toMatch(/<b>/);
  });

  it("suggests published articles for the widget, in the visitor's language first", async () => {
    const suggestions = await suggestArticles(server.ctx, acme.workspaceId, "টাকা ফে", "bn");
    expect(suggestions[0]).toMatchObject({ id: ids["bn-refund"], language: "bn" });
    expect(suggestions[0].url).toMatch(/\/help\/.+\/bn\/articles\//);
    expect(await suggestArticles(server.ctx, acme.workspaceId, "x", "en")).toEqual([]);
    // No match in the visitor's language: another language's answer beats none.
    const fallback = await suggestArticles(server.ctx, acme.workspaceId, "invitation", "yo");
    expect(fallback[0]).toMatchObject({ id: ids["en-invite"] });
  });
});
