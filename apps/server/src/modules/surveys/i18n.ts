import type { SurveyRating } from "../../db/schema.ts";

/*
 * Customer-facing survey text, in the languages of the chat widget. The English is the source;
 * the other translations want a native speaker's review before a release.
 */

export const LANGUAGES = ["en", "bn", "mr", "ta", "ha", "yo"] as const;
export type Language = (typeof LANGUAGES)[number];

export interface SurveyText {
  subject: string;
  greeting: string;
  question: string;
  choices: Record<SurveyRating, string>;
  emailHint: string;
  recorded: string;
  recording: string;
  confirm: string;
  confirmHint: string;
  change: string;
  commentQuestion: string;
  send: string;
  commentThanks: string;
  invalidTitle: string;
  invalid: string;
  expired: string;
  replayed: string;
  error: string;
}

const en: SurveyText = {
  subject: "How did we do?",
  greeting: "Hello {name},",
  question: "How would you rate the help you received?",
  choices: { great: "Great", good: "Good", okay: "Okay", bad: "Bad" },
  emailHint: "One click records your answer. You can tell us more on the next page.",
  recorded: "Thank you! Your answer: {choice}",
  recording: "Recording your answer…",
  confirm: "Confirm my answer",
  confirmHint: "Press the button to confirm your answer.",
  change: "Changed your mind? Pick another answer:",
  commentQuestion: "What could we have done better?",
  send: "Send",
  commentThanks: "Thank you, we read every comment.",
  invalidTitle: "This link does not work",
  invalid: "The link may be incomplete or from another message. Nothing was recorded.",
  expired: "This survey link has expired. Nothing was recorded; thank you for wanting to answer.",
  replayed: "This answer was already recorded. To change it, open the link from the email again.",
  error: "Something went wrong and nothing was recorded. Please try again in a minute.",
};

const bn: SurveyText = {
  subject: "আমরা কেমন করেছি?",
  greeting: "নমস্কার {name},",
  question: "আপনি যে সাহায্য পেয়েছেন তা কেমন ছিল?",
  choices: { great: "দারুণ", good: "ভালো", okay: "মোটামুটি", bad: "খারাপ" },
  emailHint: "একটি ক্লিকেই আপনার উত্তর জমা হবে। পরের পাতায় আরও কিছু জানাতে পারেন।",
  recorded: "ধন্যবাদ! আপনার উত্তর: {choice}",
  recording: "আপনার উত্তর জমা হচ্ছে…",
  confirm: "আমার উত্তর নিশ্চিত করুন",
  confirmHint: "নিশ্চিত করতে বোতামটি চাপুন।",
  change: "মত বদলেছেন? অন্য একটি উত্তর বেছে নিন:",
  commentQuestion: "আমরা আর কী ভালো করতে পারতাম?",
  send: "পাঠান",
  commentThanks: "ধন্যবাদ, আমরা প্রতিটি মন্তব্য পড়ি।",
  invalidTitle: "এই লিংকটি কাজ করছে না",
  invalid: "লিংকটি অসম্পূর্ণ বা অন্য কোনো বার্তার হতে পারে। কিছুই জমা হয়নি।",
  expired: "এই জরিপের লিংকটির মেয়াদ শেষ হয়ে গেছে। কিছুই জমা হয়নি; উত্তর দিতে চাওয়ার জন্য ধন্যবাদ।",
  replayed: "এই উত্তরটি আগেই জমা হয়েছে। বদলাতে চাইলে ইমেইলের লিংকটি আবার খুলুন।",
  error: "কিছু একটা ভুল হয়েছে, কিছুই জমা হয়নি। এক মিনিট পরে আবার চেষ্টা করুন।",
};

const mr: SurveyText = {
  subject: "आमची सेवा कशी होती?",
  greeting: "नमस्कार {name},",
  question: "तुम्हाला मिळालेली मदत कशी वाटली?",
  choices: { great: "उत्तम", good: "चांगली", okay: "ठीक", bad: "वाईट" },
  emailHint: "एका क्लिकमध्ये तुमचे उत्तर नोंदवले जाईल. पुढच्या पानावर तुम्ही अधिक सांगू शकता.",
  recorded: "धन्यवाद! तुमचे उत्तर: {choice}",
  recording: "तुमचे उत्तर नोंदवत आहोत…",
  confirm: "माझे उत्तर निश्चित करा",
  confirmHint: "उत्तर निश्चित करण्यासाठी बटण दाबा.",
  change: "मत बदलले? दुसरे उत्तर निवडा:",
  commentQuestion: "आम्ही आणखी काय चांगले करू शकलो असतो?",
  send: "पाठवा",
  commentThanks: "धन्यवाद, आम्ही प्रत्येक प्रतिक्रिया वाचतो.",
  invalidTitle: "ही लिंक चालत नाही",
  invalid: "लिंक अपूर्ण असू शकते किंवा दुसऱ्या संदेशातील असू शकते. काहीही नोंदवले गेले नाही.",
  expired: "या सर्वेक्षणाच्या लिंकची मुदत संपली आहे. काहीही नोंदवले गेले नाही; उत्तर देऊ इच्छिल्याबद्दल धन्यवाद.",
  replayed: "हे उत्तर आधीच नोंदवले गेले आहे. ते बदलण्यासाठी ईमेलमधील लिंक पुन्हा उघडा.",
  error: "काहीतरी चुकले आणि काहीही नोंदवले गेले नाही. कृपया एका मिनिटाने पुन्हा प्रयत्न करा.",
};

const ta: SurveyText = {
  subject: "நாங்கள் எப்படிச் செய்தோம்?",
  greeting: "வணக்கம் {name},",
  question: "உங்களுக்குக் கிடைத்த உதவியை எப்படி மதிப்பிடுவீர்கள்?",
  choices: { great: "மிகச் சிறப்பு", good: "நன்று", okay: "பரவாயில்லை", bad: "மோசம்" },
  emailHint: "ஒரே கிளிக்கில் உங்கள் பதில் பதிவாகும். அடுத்த பக்கத்தில் மேலும் சொல்லலாம்.",
  recorded: "நன்றி! உங்கள் பதில்: {choice}",
  recording: "உங்கள் பதிலைப் பதிவு செய்கிறோம்…",
  confirm: "என் பதிலை உறுதிசெய்",
  confirmHint: "உங்கள் பதிலை உறுதிசெய்ய பொத்தானை அழுத்தவும்.",
  change: "மனம் மாறியதா? வேறு பதிலைத் தேர்ந்தெடுக்கவும்:",
  commentQuestion: "நாங்கள் இன்னும் என்ன சிறப்பாகச் செய்திருக்கலாம்?",
  send: "அனுப்பு",
  commentThanks: "நன்றி, ஒவ்வொரு கருத்தையும் நாங்கள் படிக்கிறோம்.",
  invalidTitle: "இந்த இணைப்பு வேலை செய்யவில்லை",
  invalid: "இணைப்பு முழுமையற்றதாகவோ வேறு செய்தியினுடையதாகவோ இருக்கலாம். எதுவும் பதிவாகவில்லை.",
  expired: "இந்தக் கருத்துக்கணிப்பு இணைப்பின் காலம் முடிந்துவிட்டது. எதுவும் பதிவாகவில்லை; பதிலளிக்க விரும்பியதற்கு நன்றி.",
  replayed: "இந்தப் பதில் ஏற்கனவே பதிவாகிவிட்டது. மாற்ற, மின்னஞ்சலில் உள்ள இணைப்பை மீண்டும் திறக்கவும்.",
  error: "ஏதோ தவறு நடந்தது, எதுவும் பதிவாகவில்லை. ஒரு நிமிடம் கழித்து மீண்டும் முயற்சிக்கவும்.",
};

const ha: SurveyText = {
  subject: "Yaya muka yi?",
  greeting: "Sannu {name},",
  question: "Yaya za ka kimanta taimakon da ka samu?",
  choices: { great: "Madalla", good: "Mai kyau", okay: "Ba laifi", bad: "Mara kyau" },
  emailHint: "Danna sau ɗaya kawai za a adana amsarka. Kana iya ƙara bayani a shafi na gaba.",
  recorded: "Na gode! Amsarka: {choice}",
  recording: "Ana adana amsarka…",
  confirm: "Tabbatar da amsata",
  confirmHint: "Danna maɓallin don tabbatar da amsarka.",
  change: "Ka canza ra'ayi? Zaɓi wata amsa:",
  commentQuestion: "Me za mu iya yi mafi kyau?",
  send: "Aika",
  commentThanks: "Na gode, muna karanta kowane sharhi.",
  invalidTitle: "Wannan mahaɗin ba ya aiki",
  invalid: "Mahaɗin na iya zama bai cika ba ko daga wani saƙo ne. Ba a adana komai ba.",
  expired: "Wa'adin wannan mahaɗin binciken ya ƙare. Ba a adana komai ba; na gode da son amsawa.",
  replayed: "An riga an adana wannan amsa. Don canza ta, sake buɗe mahaɗin da ke cikin imel ɗin.",
  error: "Wani abu ya faru ba daidai ba, ba a adana komai ba. Da fatan za a sake gwadawa bayan minti ɗaya.",
};

const yo: SurveyText = {
  subject: "Báwo ni a ṣe ṣe?",
  greeting: "Ẹ n lẹ́ {name},",
  question: "Báwo ni ẹ ṣe máa ṣe àyẹ̀wò ìrànlọ́wọ́ tí ẹ rí gbà?",
  choices: { great: "Ó dára gan-an", good: "Ó dára", okay: "Kò burú", bad: "Kò dára" },
  emailHint: "Títẹ̀ ẹ̀ẹ̀kan ṣoṣo yóò gba ìdáhùn yín sílẹ̀. Ẹ lè sọ síi ní ojú-ewé tó kàn.",
  recorded: "A dúpẹ́! Ìdáhùn yín: {choice}",
  recording: "A ń gba ìdáhùn yín sílẹ̀…",
  confirm: "Ẹ fìdí ìdáhùn mi múlẹ̀",
  confirmHint: "Ẹ tẹ bọ́tìnnì náà láti fìdí ìdáhùn yín múlẹ̀.",
  change: "Ṣé ẹ ti yí ọkàn padà? Ẹ yan ìdáhùn mìíràn:",
  commentQuestion: "Kí ni a lè ti ṣe dáadáa jù?",
  send: "Fi ránṣẹ́",
  commentThanks: "A dúpẹ́, a máa ń ka gbogbo ọ̀rọ̀ ìwòye.",
  invalidTitle: "Ìjápọ̀ yìí kò ṣiṣẹ́",
  invalid: "Ìjápọ̀ náà lè má pé tàbí kí ó jẹ́ ti ìfiránṣẹ́ mìíràn. Kò sí ohun tí a gbà sílẹ̀.",
  expired: "Ìjápọ̀ ìwádìí yìí ti parí. Kò sí ohun tí a gbà sílẹ̀; a dúpẹ́ pé ẹ fẹ́ dáhùn.",
  replayed: "A ti gba ìdáhùn yìí sílẹ̀ tẹ́lẹ̀. Láti yí i padà, ẹ tún ṣí ìjápọ̀ inú í-meèlì náà.",
  error: "Ohun kan ṣàṣìṣe, kò sí ohun tí a gbà sílẹ̀. Ẹ jọ̀wọ́ ẹ tún gbìyànjú lẹ́yìn ìṣẹ́jú kan.",
};

export const texts: Record<Language, SurveyText> = { en, bn, mr, ta, ha, yo };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The best supported language of an Accept-Language header (RFC 9110 weights, primary subtag
 * matched), else the fallback: the language the survey was sent in.
 */
export function negotiateLanguage(header: string | undefined, fallback: Language = "en"): Language {
  if (!header) return fallback;
  const ranked = header
    .split(",")
    .map((part, index) => {
      const [range, ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: range.trim().toLowerCase().split("-")[0], q: q ? Number(q[1]) : 1, index };
    })
    .filter((r) => r.tag && r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return (ranked.find((r) => isLanguage(r.tag))?.tag as Language | undefined) ?? fallback;
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
