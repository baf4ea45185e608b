/*
 * The help center's own words (not the articles'), in the languages of the chat widget. English is
 * the source; the other translations want a native speaker's review before a release. An article
 * in a language without its own words here is framed in English.
 */

export const UI_LANGUAGES = ["en", "bn", "mr", "ta", "ha", "yo"] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

export interface HelpText {
  helpCenter: string;
  searchPlaceholder: string;
  search: string;
  resultsFor: string;
  noResults: string;
  articles: string;
  talkToUs: string;
  talkToUsHint: string;
  chat: string;
  email: string;
  callback: string;
  contactForm: string;
  name: string;
  yourEmail: string;
  message: string;
  send: string;
  sent: string;
  wasHelpful: string;
  yes: string;
  no: string;
  thanksYes: string;
  thanksNo: string;
  commentLabel: string;
  notFoundTitle: string;
  notFound: string;
  language: string;
  updated: string;
  home: string;
  /** The "cancel or pause" page, when the workspace has connected billing. */
  subscriptionLink: string;
  subscriptionIntro: string;
  subscriptionSend: string;
  subscriptionSent: string;
  subscriptionInvalid: string;
  subscriptionTooMany: string;
}

const en: HelpText = {
  helpCenter: "Help center",
  searchPlaceholder: "Search the help center",
  search: "Search",
  resultsFor: "Results for “{query}”",
  noResults: "Nothing matched. Try other words, or ask us: a person will answer.",
  articles: "articles",
  talkToUs: "Talk to us",
  talkToUsHint: "A person on our team will answer.",
  chat: "Chat with us",
  email: "Email us",
  callback: "Ask for a call back",
  contactForm: "Write to us",
  name: "Your name",
  yourEmail: "Your email",
  message: "How can we help?",
  send: "Send",
  sent: "Thank you. We got your message and will answer by email.",
  wasHelpful: "Did this answer your question?",
  yes: "Yes",
  no: "No",
  thanksYes: "Thank you! Glad it helped.",
  thanksNo: "Sorry it did not help. Tell us what was missing, or talk to a person right away:",
  commentLabel: "What were you looking for? (optional)",
  notFoundTitle: "Page not found",
  notFound: "We could not find that page. Search below, or talk to us.",
  language: "Language",
  updated: "Updated {date}",
  home: "Home",
  subscriptionLink: "Cancel or pause your subscription",
  subscriptionIntro:
    "Enter the email address of your account. We will email you a link to a page where you can pause your subscription or cancel it.",
  subscriptionSend: "Email me the link",
  subscriptionSent: "If this address belongs to a subscription, we have emailed you a link.",
  subscriptionInvalid: "Please enter a valid email address.",
  subscriptionTooMany: "Too many requests. Please try again in a few minutes.",
};

const bn: HelpText = {
  helpCenter: "সহায়তা কেন্দ্র",
  searchPlaceholder: "সহায়তা কেন্দ্রে খুঁজুন",
  search: "খুঁজুন",
  resultsFor: "“{query}”-এর ফলাফল",
  noResults: "কিছু মেলেনি। অন্য শব্দ দিয়ে চেষ্টা করুন, অথবা আমাদের জিজ্ঞাসা করুন: একজন মানুষ উত্তর দেবেন।",
  articles: "নিবন্ধ",
  talkToUs: "আমাদের সাথে কথা বলুন",
  talkToUsHint: "আমাদের দলের একজন মানুষ উত্তর দেবেন।",
  chat: "চ্যাট করুন",
  email: "ইমেল করুন",
  callback: "ফোন করতে বলুন",
  contactForm: "আমাদের লিখুন",
  name: "আপনার নাম",
  yourEmail: "আপনার ইমেল",
  message: "আমরা কীভাবে সাহায্য করতে পারি?",
  send: "পাঠান",
  sent: "ধন্যবাদ। আপনার বার্তা পেয়েছি, ইমেলে উত্তর দেব।",
  wasHelpful: "এটি কি আপনার প্রশ্নের উত্তর দিয়েছে?",
  yes: "হ্যাঁ",
  no: "না",
  thanksYes: "ধন্যবাদ! কাজে লেগেছে জেনে ভালো লাগল।",
  thanksNo: "দুঃখিত, কাজে লাগেনি। কী বাদ ছিল জানান, অথবা এখনই একজন মানুষের সাথে কথা বলুন:",
  commentLabel: "আপনি কী খুঁজছিলেন? (ঐচ্ছিক)",
  notFoundTitle: "পৃষ্ঠা পাওয়া যায়নি",
  notFound: "পৃষ্ঠাটি খুঁজে পাইনি। নিচে খুঁজুন, অথবা আমাদের সাথে কথা বলুন।",
  language: "ভাষা",
  updated: "হালনাগাদ {date}",
  home: "প্রথম পাতা",
  subscriptionLink: "আপনার সাবস্ক্রিপশন বাতিল বা বিরতি দিন",
  subscriptionIntro:
    "আপনার অ্যাকাউন্টের ইমেল ঠিকানা লিখুন। আমরা আপনাকে একটি লিংক ইমেল করব, যে পাতায় আপনি সাবস্ক্রিপশন বিরতি দিতে বা বাতিল করতে পারবেন।",
  subscriptionSend: "লিংকটি ইমেল করুন",
  subscriptionSent: "এই ঠিকানাটি কোনো সাবস্ক্রিপশনের হলে আমরা আপনাকে একটি লিংক ইমেল করেছি।",
  subscriptionInvalid: "অনুগ্রহ করে একটি সঠিক ইমেল ঠিকানা লিখুন।",
  subscriptionTooMany: "অনেক বেশি অনুরোধ। কয়েক মিনিট পরে আবার চেষ্টা করুন।",
};

const mr: HelpText = {
  helpCenter: "मदत केंद्र",
  searchPlaceholder: "मदत केंद्रात शोधा",
  search: "शोधा",
  resultsFor: "“{query}” साठी निकाल",
  noResults: "काहीही जुळले नाही. इतर शब्द वापरून पाहा, किंवा आम्हाला विचारा: एक व्यक्ती उत्तर देईल.",
  articles: "लेख",
  talkToUs: "आमच्याशी बोला",
  talkToUsHint: "आमच्या टीममधील एक व्यक्ती उत्तर देईल.",
  chat: "चॅट करा",
  email: "ईमेल करा",
  callback: "परत फोन करण्यास सांगा",
  contactForm: "आम्हाला लिहा",
  name: "तुमचे नाव",
  yourEmail: "तुमचा ईमेल",
  message: "आम्ही कशी मदत करू शकतो?",
  send: "पाठवा",
  sent: "धन्यवाद. तुमचा संदेश मिळाला, आम्ही ईमेलने उत्तर देऊ.",
  wasHelpful: "यामुळे तुमच्या प्रश्नाचे उत्तर मिळाले का?",
  yes: "होय",
  no: "नाही",
  thanksYes: "धन्यवाद! उपयोग झाला याचा आनंद आहे.",
  thanksNo: "माफ करा, उपयोग झाला नाही. काय कमी होते ते सांगा, किंवा लगेच एका व्यक्तीशी बोला:",
  commentLabel: "तुम्ही काय शोधत होता? (ऐच्छिक)",
  notFoundTitle: "पान सापडले नाही",
  notFound: "ते पान सापडले नाही. खाली शोधा, किंवा आमच्याशी बोला.",
  language: "भाषा",
  updated: "अद्यतनित {date}",
  home: "मुख्य पान",
  subscriptionLink: "तुमची सदस्यता रद्द करा किंवा थांबवा",
  subscriptionIntro:
    "तुमच्या खात्याचा ईमेल पत्ता लिहा. आम्ही तुम्हाला एका पानाची लिंक ईमेल करू, जिथे तुम्ही सदस्यता थांबवू किंवा रद्द करू शकता.",
  subscriptionSend: "मला लिंक ईमेल करा",
  subscriptionSent: "हा पत्ता एखाद्या सदस्यतेचा असल्यास, आम्ही तुम्हाला लिंक ईमेल केली आहे.",
  subscriptionInvalid: "कृपया योग्य ईमेल पत्ता लिहा.",
  subscriptionTooMany: "खूप जास्त विनंत्या. कृपया काही मिनिटांनी पुन्हा प्रयत्न करा.",
};

const ta: HelpText = {
  helpCenter: "உதவி மையம்",
  searchPlaceholder: "உதவி மையத்தில் தேடுங்கள்",
  search: "தேடு",
  resultsFor: "“{query}” க்கான முடிவுகள்",
  noResults: "எதுவும் பொருந்தவில்லை. வேறு சொற்களை முயலுங்கள், அல்லது எங்களிடம் கேளுங்கள்: ஒருவர் பதிலளிப்பார்.",
  articles: "கட்டுரைகள்",
  talkToUs: "எங்களுடன் பேசுங்கள்",
  talkToUsHint: "எங்கள் குழுவில் ஒருவர் பதிலளிப்பார்.",
  chat: "அரட்டை",
  email: "மின்னஞ்சல் அனுப்புங்கள்",
  callback: "திரும்ப அழைக்கக் கேளுங்கள்",
  contactForm: "எங்களுக்கு எழுதுங்கள்",
  name: "உங்கள் பெயர்",
  yourEmail: "உங்கள் மின்னஞ்சல்",
  message: "நாங்கள் எப்படி உதவலாம்?",
  send: "அனுப்பு",
  sent: "நன்றி. உங்கள் செய்தி கிடைத்தது, மின்னஞ்சலில் பதிலளிப்போம்.",
  wasHelpful: "இது உங்கள் கேள்விக்குப் பதிலளித்ததா?",
  yes: "ஆம்",
  no: "இல்லை",
  thanksYes: "நன்றி! உதவியதில் மகிழ்ச்சி.",
  thanksNo: "மன்னிக்கவும், உதவவில்லை. என்ன குறைந்தது என்று சொல்லுங்கள், அல்லது இப்போதே ஒருவருடன் பேசுங்கள்:",
  commentLabel: "நீங்கள் எதைத் தேடினீர்கள்? (விருப்பம்)",
  notFoundTitle: "பக்கம் கிடைக்கவில்லை",
  notFound: "அந்தப் பக்கம் கிடைக்கவில்லை. கீழே தேடுங்கள், அல்லது எங்களுடன் பேசுங்கள்.",
  language: "மொழி",
  updated: "புதுப்பிக்கப்பட்டது {date}",
  home: "முகப்பு",
  subscriptionLink: "உங்கள் சந்தாவை ரத்துசெய்யுங்கள் அல்லது இடைநிறுத்துங்கள்",
  subscriptionIntro:
    "உங்கள் கணக்கின் மின்னஞ்சல் முகவரியை உள்ளிடுங்கள். சந்தாவை இடைநிறுத்த அல்லது ரத்துசெய்யக்கூடிய பக்கத்திற்கான இணைப்பை உங்களுக்கு மின்னஞ்சல் செய்வோம்.",
  subscriptionSend: "இணைப்பை எனக்கு மின்னஞ்சல் செய்யுங்கள்",
  subscriptionSent: "இந்த முகவரி ஒரு சந்தாவுக்குரியது என்றால், உங்களுக்கு ஒரு இணைப்பை மின்னஞ்சல் செய்துள்ளோம்.",
  subscriptionInvalid: "சரியான மின்னஞ்சல் முகவரியை உள்ளிடுங்கள்.",
  subscriptionTooMany: "மிக அதிகமான கோரிக்கைகள். சில நிமிடங்களில் மீண்டும் முயலுங்கள்.",
};

const ha: HelpText = {
  helpCenter: "Cibiyar taimako",
  searchPlaceholder: "Bincika cibiyar taimako",
  search: "Bincika",
  resultsFor: "Sakamako na “{query}”",
  noResults: "Babu abin da ya dace. Gwada wasu kalmomi, ko ka tambaye mu: mutum zai amsa.",
  articles: "maƙaloli",
  talkToUs: "Yi magana da mu",
  talkToUsHint: "Wani mutum a ƙungiyarmu zai amsa.",
  chat: "Yi hira da mu",
  email: "Aiko mana da imel",
  callback: "Nemi a kira ka",
  contactForm: "Rubuta mana",
  name: "Sunanka",
  yourEmail: "Imel ɗinka",
  message: "Ta yaya za mu taimaka?",
  send: "Aika",
  sent: "Na gode. Mun karɓi saƙonka, za mu amsa ta imel.",
  wasHelpful: "Wannan ya amsa tambayarka?",
  yes: "Ee",
  no: "A'a",
  thanksYes: "Na gode! Mun ji daɗin ya taimaka.",
  thanksNo: "Yi haƙuri bai taimaka ba. Faɗa mana abin da ya rasa, ko ka yi magana da mutum yanzu:",
  commentLabel: "Me kake nema? (ba dole ba)",
  notFoundTitle: "Ba a sami shafin ba",
  notFound: "Ba mu sami wannan shafin ba. Bincika a ƙasa, ko ka yi magana da mu.",
  language: "Harshe",
  updated: "An sabunta {date}",
  home: "Gida",
  subscriptionLink: "Soke ko dakatar da biyan kuɗinka",
  subscriptionIntro:
    "Shigar da adireshin imel na asusunka. Za mu aiko maka da mahada zuwa shafin da za ka iya dakatar ko soke biyan kuɗinka.",
  subscriptionSend: "Aiko min da mahadar",
  subscriptionSent: "Idan wannan adireshin na wani biyan kuɗi ne, mun aiko maka da mahada ta imel.",
  subscriptionInvalid: "Da fatan za ka shigar da ingantaccen adireshin imel.",
  subscriptionTooMany: "Buƙatu sun yi yawa. Da fatan za ka sake gwadawa bayan ƴan mintuna.",
};

const yo: HelpText = {
  helpCenter: "Ibùdó ìrànlọ́wọ́",
  searchPlaceholder: "Wá nínú ibùdó ìrànlọ́wọ́",
  search: "Wá",
  resultsFor: "Àbájáde fún “{query}”",
  noResults: "Kò sí ohun tó bá a mu. Gbìyànjú ọ̀rọ̀ mìíràn, tàbí bi wá léèrè: ènìyàn kan yóò dáhùn.",
  articles: "àwọn àpilẹ̀kọ",
  talkToUs: "Bá wa sọ̀rọ̀",
  talkToUsHint: "Ènìyàn kan nínú ẹgbẹ́ wa yóò dáhùn.",
  chat: "Bá wa jíròrò",
  email: "Fi ímeèlì ránṣẹ́ sí wa",
  callback: "Ní kí a pè ọ́ padà",
  contactForm: "Kọ̀wé sí wa",
  name: "Orúkọ rẹ",
  yourEmail: "Ímeèlì rẹ",
  message: "Báwo ni a ṣe lè ràn ọ́ lọ́wọ́?",
  send: "Fi ránṣẹ́",
  sent: "A dúpẹ́. A ti gba ìfiránṣẹ́ rẹ, a ó dáhùn nípasẹ̀ ímeèlì.",
  wasHelpful: "Ṣé èyí dáhùn ìbéèrè rẹ?",
  yes: "Bẹ́ẹ̀ ni",
  no: "Rárá",
  thanksYes: "A dúpẹ́! Inú wa dùn pé ó ràn ọ́ lọ́wọ́.",
  thanksNo: "Má bínú pé kò ràn ọ́ lọ́wọ́. Sọ ohun tó kù fún wa, tàbí bá ènìyàn sọ̀rọ̀ báyìí:",
  commentLabel: "Kí ni o ń wá? (kò pọn dandan)",
  notFoundTitle: "A kò rí ojú-ìwé náà",
  notFound: "A kò rí ojú-ìwé yẹn. Wá nísàlẹ̀, tàbí bá wa sọ̀rọ̀.",
  language: "Èdè",
  updated: "Ìmúdójúìwọ̀n {date}",
  home: "Ilé",
  subscriptionLink: "Fagilé tàbí dá ìforúkọsílẹ̀ rẹ dúró",
  subscriptionIntro:
    "Tẹ àdírẹ́sì ímeèlì àkáǹtì rẹ. A ó fi ìjápọ̀ ránṣẹ́ sí ọ sí ojú-ìwé tí o ti lè dá ìforúkọsílẹ̀ rẹ dúró tàbí fagilé e.",
  subscriptionSend: "Fi ìjápọ̀ náà ránṣẹ́ sí mi",
  subscriptionSent: "Tí àdírẹ́sì yìí bá jẹ́ ti ìforúkọsílẹ̀ kan, a ti fi ìjápọ̀ kan ránṣẹ́ sí ọ.",
  subscriptionInvalid: "Jọ̀wọ́ tẹ àdírẹ́sì ímeèlì tó tọ́.",
  subscriptionTooMany: "Ìbéèrè ti pọ̀ jù. Jọ̀wọ́ gbìyànjú lẹ́ẹ̀kan si lẹ́yìn ìṣẹ́jú díẹ̀.",
};

const texts: Record<UiLanguage, HelpText> = { en, bn, mr, ta, ha, yo };

/** The help center's words for a language: its own when translated, else English. */
export function textFor(language: string): HelpText {
  const primary = language.toLowerCase().split("-")[0];
  return (texts as Record<string, HelpText>)[primary] ?? en;
}

/** Names of languages in their own script, for the language switcher. */
const LANGUAGE_NAMES: Record<string, string> = {
  en: "English",
  bn: "বাংলা",
  mr: "मराठी",
  ta: "தமிழ்",
  ha: "Hausa",
  yo: "Yorùbá",
  fr: "Français",
  es: "Español",
  de: "Deutsch",
  pt: "Português",
  hi: "हिन्दी",
  sw: "Kiswahili",
  ar: "العربية",
  ig: "Igbo",
};

export function languageName(code: string): string {
  return LANGUAGE_NAMES[code.toLowerCase()] ?? code;
}

/** Right-to-left scripts: the page sets dir="rtl" for them. */
export function isRightToLeft(code: string): boolean {
  return ["ar", "he", "fa", "ur"].includes(code.toLowerCase().split("-")[0]);
}

/** Languages are BCP 47 tags, stored lowercase ("en", "pt-br", "yo"). */
export const LANGUAGE_PATTERN = "^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}$";
const languageRe = new RegExp(LANGUAGE_PATTERN);
export function isLanguageTag(value: string): boolean {
  return languageRe.test(value);
}

/** The best of the available languages for an Accept-Language header, else the fallback. */
export function negotiate(header: string | undefined, available: string[], fallback: string): string {
  if (!header || available.length === 0) return fallback;
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [range, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: range.trim().toLowerCase(), q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.tag && r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (available.includes(tag)) return tag;
    const primary = tag.split("-")[0];
    const match = available.find((code) => code === primary || code.split("-")[0] === primary);
    if (match) return match;
  }
  return fallback;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
