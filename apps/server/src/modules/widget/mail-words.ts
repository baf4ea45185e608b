/*
 * The words of the mail that continues a chat, in the widget's languages (apps/widget/src/i18n.ts),
 * so a visitor who chatted in Bengali gets a Bengali mail. English for any other language.
 */

export interface MailWords {
  /** `{inbox}` is the chat inbox's name, `{number}` the conversation's number. */
  subject: string;
  /** Above the agent's reply; `{agent}` is their first name. */
  intro: string;
  /** Below the reply: how to go on. */
  footer: string;
}

const en: MailWords = {
  subject: "{inbox} #{number}: a reply to your chat",
  intro: "{agent} replied to your chat:",
  footer: "Reply to this email to continue the conversation, or come back to the chat on our website.",
};

const words: Record<string, MailWords> = {
  en,
  bn: {
    subject: "{inbox} #{number}: আপনার চ্যাটের উত্তর",
    intro: "{agent} আপনার চ্যাটের উত্তর দিয়েছেন:",
    footer: "কথোপকথন চালিয়ে যেতে এই ইমেলের উত্তর দিন, অথবা আমাদের ওয়েবসাইটের চ্যাটে ফিরে আসুন।",
  },
  mr: {
    subject: "{inbox} #{number}: तुमच्या चॅटला उत्तर",
    intro: "{agent} यांनी तुमच्या चॅटला उत्तर दिले आहे:",
    footer: "संभाषण पुढे सुरू ठेवण्यासाठी या ईमेलला उत्तर द्या, किंवा आमच्या वेबसाइटवरील चॅटवर परत या.",
  },
  ta: {
    subject: "{inbox} #{number}: உங்கள் அரட்டைக்கு பதில்",
    intro: "{agent} உங்கள் அரட்டைக்கு பதிலளித்துள்ளார்:",
    footer: "உரையாடலைத் தொடர இந்த மின்னஞ்சலுக்குப் பதிலளிக்கவும், அல்லது எங்கள் இணையதளத்தில் உள்ள அரட்டைக்குத் திரும்பவும்.",
  },
  ha: {
    subject: "{inbox} #{number}: amsa ga hirarka",
    intro: "Amsa daga {agent} ga hirarka:",
    footer: "Ka amsa wannan imel don ci gaba da hirar, ko ka koma hirar a shafinmu na yanar gizo.",
  },
  yo: {
    subject: "{inbox} #{number}: èsì sí ìjíròrò rẹ",
    intro: "Èsì láti ọ̀dọ̀ {agent} sí ìjíròrò rẹ:",
    footer: "Dáhùn sí ímeèlì yìí láti máa bá ìjíròrò náà lọ, tàbí padà sí ìjíròrò lórí ojú-òpó wẹ́ẹ̀bù wa.",
  },
};

/** The words for a language tag such as "bn" or "bn-IN"; English when there are none. */
export function mailWordsFor(language: string | null | undefined): MailWords {
  const base = (language ?? "").toLowerCase().split("-")[0];
  return words[base] ?? en;
}

export function fillWords(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}
