import { fill, isLanguage, type Language, negotiateLanguage } from "../surveys/i18n.ts";

/*
 * Customer-facing billing text — the pause-or-cancel page and the dunning reminders — in the
 * languages of the chat widget and surveys. English is the source; the other translations want a
 * native speaker's review before a release. Placeholders in braces are filled by `fill`.
 */

export interface BillingText {
  /** BCP 47 locale for dates. */
  locale: string;
  // Dunning reminders.
  hello: string;
  helloThere: string;
  /** Appended to "the payment", e.g. " of {amount}". */
  amount: string;
  updateLink: string;
  updateNoLink: string;
  sign: string;
  expiringSubject: string;
  expiringBody: string;
  firstSubject: string;
  firstBody: string;
  middleSubject: string;
  middleBody: string;
  lastSubject: string;
  lastBody: string;
  after: { pause: string; cancel: string; none: string };
  // The pause-or-cancel page.
  refusedTitle: string;
  refusedBody: string;
  pausedTitle: string;
  pausedHeading: string;
  pausedBody: string;
  resumeNow: string;
  title: string;
  intro: string;
  pauseFor: [string, string, string];
  downgrade: string;
  cancel: string;
  reasonLabel: string;
  confirm: string;
  chooseTitle: string;
  chooseBody: string;
  doneTitle: string;
  donePause: [string, string, string];
  doneDowngrade: string;
  doneCancel: string;
  doneResume: string;
  // The email with a link to the page, asked for from the help center.
  linkMailSubject: string;
  linkMailBody: string;
}

const en: BillingText = {
  locale: "en-GB",
  hello: "Hi {name},",
  helloThere: "Hi there,",
  amount: " of {amount}",
  updateLink: "Updating the card takes a minute, here:\n{link}",
  updateNoLink: "Updating the card in your account settings takes a minute.",
  sign: "If anything is unclear, just reply to this email; it comes straight to me.",
  expiringSubject: "The card for {company} expires soon",
  expiringBody:
    "A small heads-up: the card we charge for {company} expires at the end of the month. Nothing is wrong yet, and nothing changes for you.",
  firstSubject: "A hiccup with the {company} payment",
  firstBody:
    "The payment{amount} for {company} did not go through. It happens: cards expire, banks get careful.\n\nNothing changes for you right now: everything keeps working until {date}.",
  middleSubject: "Your {company} card still needs a quick update",
  middleBody:
    "A gentle nudge: the payment{amount} for {company} is still open. Your account keeps working until {date}.",
  lastSubject: "Still time to keep {company} going",
  lastBody: "The payment{amount} for {company} is still open, and the grace period ends on {date}. {after}",
  after: {
    pause:
      "After that we pause the account rather than delete anything, and you can pick up again whenever you like.",
    cancel: "After that the subscription ends; your data stays with us for a while in case you come back.",
    none: "We would rather sort it out together than cut anything off.",
  },
  refusedTitle: "This link does not work",
  refusedBody: "It may have expired. Reply to our last email and we will sort it out with you.",
  pausedTitle: "Your account is paused",
  pausedHeading: "{company} is paused",
  pausedBody: "Everything is kept as you left it.",
  resumeNow: "Resume now",
  title: "Before you go",
  intro:
    "If now is not the right time, you can pause {company} instead of cancelling: nothing is charged while paused, and everything is kept for when you come back.",
  pauseFor: ["Pause for 1 month", "Pause for 2 months", "Pause for 3 months"],
  downgrade: "Move to a cheaper plan instead",
  cancel: "Cancel my subscription",
  reasonLabel: "Would you tell us why? (optional, it goes to the team)",
  confirm: "Confirm",
  chooseTitle: "Please choose",
  chooseBody: "Please choose one of the options",
  doneTitle: "Done",
  donePause: [
    "{company} is paused for 1 month. Nothing is charged meanwhile, and everything is kept.",
    "{company} is paused for 2 months. Nothing is charged meanwhile, and everything is kept.",
    "{company} is paused for 3 months. Nothing is charged meanwhile, and everything is kept.",
  ],
  doneDowngrade: "{company} moves to the cheaper plan from the next invoice.",
  doneCancel:
    "{company} is cancelled. Thank you for the time you spent with us; you are welcome back any time.",
  doneResume: "{company} is running again. Welcome back!",
  linkMailSubject: "Your link to pause or cancel {company}",
  linkMailBody:
    "Hello,\n\nYou asked for a way to pause or cancel {company}. This link opens the page where you choose; it works for {days} days:\n{link}\n\nIf you did not ask for it, ignore this email: nothing changes until you choose.",
};

const bn: BillingText = {
  locale: "bn",
  hello: "নমস্কার {name},",
  helloThere: "নমস্কার,",
  amount: " ({amount})",
  updateLink: "কার্ড আপডেট করতে এক মিনিট লাগবে, এখানে:\n{link}",
  updateNoLink: "অ্যাকাউন্টের সেটিংসে কার্ড আপডেট করতে এক মিনিট লাগবে।",
  sign: "কিছু অস্পষ্ট থাকলে এই ইমেলের উত্তর দিন; সেটি সরাসরি আমার কাছে আসবে।",
  expiringSubject: "{company}-এর কার্ডের মেয়াদ শীঘ্রই শেষ হচ্ছে",
  expiringBody:
    "ছোট্ট একটা খবর: {company}-এর জন্য যে কার্ড থেকে টাকা নেওয়া হয়, তার মেয়াদ এই মাসের শেষে ফুরোবে। এখনও কোনো সমস্যা নেই, আপনার জন্য কিছুই বদলাচ্ছে না।",
  firstSubject: "{company}-এর পেমেন্টে একটু সমস্যা",
  firstBody:
    "{company}-এর পেমেন্ট{amount} সফল হয়নি। এমন হয়: কার্ডের মেয়াদ ফুরোয়, ব্যাংক সাবধান হয়।\n\nএখনই আপনার জন্য কিছু বদলাচ্ছে না: {date} পর্যন্ত সবকিছু চালু থাকবে।",
  middleSubject: "{company}-এর কার্ডটি এখনও আপডেট করা দরকার",
  middleBody:
    "আলতো করে মনে করিয়ে দিচ্ছি: {company}-এর পেমেন্ট{amount} এখনও বাকি। {date} পর্যন্ত আপনার অ্যাকাউন্ট চালু থাকবে।",
  lastSubject: "{company} চালু রাখার এখনও সময় আছে",
  lastBody: "{company}-এর পেমেন্ট{amount} এখনও বাকি, আর ছাড়ের সময় শেষ হবে {date}-এ। {after}",
  after: {
    pause: "তারপর আমরা কিছু মুছে না ফেলে অ্যাকাউন্টটি স্থগিত রাখব, আর আপনি যখন খুশি আবার শুরু করতে পারবেন।",
    cancel: "তারপর সাবস্ক্রিপশন শেষ হবে; আপনি ফিরে এলে যেন পান, তাই আপনার তথ্য কিছুদিন আমাদের কাছে থাকবে।",
    none: "কিছু বন্ধ করে দেওয়ার চেয়ে আমরা একসঙ্গে সমাধান করতেই চাই।",
  },
  refusedTitle: "এই লিংকটি কাজ করছে না",
  refusedBody: "এর মেয়াদ হয়তো শেষ হয়ে গেছে। আমাদের শেষ ইমেলের উত্তর দিন, আমরা আপনার সঙ্গে মিলে ঠিক করে নেব।",
  pausedTitle: "আপনার অ্যাকাউন্ট স্থগিত আছে",
  pausedHeading: "{company} স্থগিত আছে",
  pausedBody: "আপনি যেমন রেখে গেছেন, সবকিছু তেমনই রাখা আছে।",
  resumeNow: "এখনই আবার চালু করুন",
  title: "যাওয়ার আগে",
  intro:
    "এখন যদি ঠিক সময় না হয়, বাতিল না করে {company} স্থগিত রাখতে পারেন: স্থগিত থাকার সময় কোনো টাকা কাটা হবে না, আর ফিরে আসার জন্য সবকিছু রাখা থাকবে।",
  pauseFor: ["১ মাসের জন্য স্থগিত রাখুন", "২ মাসের জন্য স্থগিত রাখুন", "৩ মাসের জন্য স্থগিত রাখুন"],
  downgrade: "বরং একটি সস্তা প্ল্যানে যান",
  cancel: "আমার সাবস্ক্রিপশন বাতিল করুন",
  reasonLabel: "কেন, আমাদের বলবেন? (ঐচ্ছিক, এটি টিমের কাছে যাবে)",
  confirm: "নিশ্চিত করুন",
  chooseTitle: "একটি বেছে নিন",
  chooseBody: "অনুগ্রহ করে একটি বিকল্প বেছে নিন",
  doneTitle: "হয়ে গেছে",
  donePause: [
    "{company} ১ মাসের জন্য স্থগিত। এর মধ্যে কোনো টাকা কাটা হবে না, আর সবকিছু রাখা থাকবে।",
    "{company} ২ মাসের জন্য স্থগিত। এর মধ্যে কোনো টাকা কাটা হবে না, আর সবকিছু রাখা থাকবে।",
    "{company} ৩ মাসের জন্য স্থগিত। এর মধ্যে কোনো টাকা কাটা হবে না, আর সবকিছু রাখা থাকবে।",
  ],
  doneDowngrade: "পরের ইনভয়েস থেকে {company} সস্তা প্ল্যানে যাবে।",
  doneCancel: "{company} বাতিল হয়েছে। আমাদের সঙ্গে কাটানো সময়ের জন্য ধন্যবাদ; যেকোনো সময় আবার স্বাগত।",
  doneResume: "{company} আবার চালু হয়েছে। স্বাগতম!",
  linkMailSubject: "{company} বিরতি বা বাতিল করার লিংক",
  linkMailBody:
    "নমস্কার,\n\nআপনি {company} বিরতি বা বাতিল করার উপায় জানতে চেয়েছিলেন। এই লিংকে সেই পাতা খুলবে যেখানে আপনি বেছে নেবেন; এটি {days} দিন কাজ করবে:\n{link}\n\nআপনি না চেয়ে থাকলে এই ইমেলটি উপেক্ষা করুন: আপনি না বেছে নেওয়া পর্যন্ত কিছুই বদলাবে না।",
};

const mr: BillingText = {
  locale: "mr",
  hello: "नमस्कार {name},",
  helloThere: "नमस्कार,",
  amount: " ({amount})",
  updateLink: "कार्ड अपडेट करायला एक मिनिट लागेल, इथे:\n{link}",
  updateNoLink: "खात्याच्या सेटिंग्जमध्ये कार्ड अपडेट करायला एक मिनिट लागेल.",
  sign: "काही अस्पष्ट असल्यास या ईमेलला उत्तर द्या; ते थेट माझ्यापर्यंत येते.",
  expiringSubject: "{company} च्या कार्डची मुदत लवकरच संपत आहे",
  expiringBody:
    "एक छोटी सूचना: {company} साठी ज्या कार्डवरून पैसे घेतले जातात त्याची मुदत या महिन्याच्या शेवटी संपते. अजून काहीही बिघडलेले नाही, आणि तुमच्यासाठी काहीच बदलत नाही.",
  firstSubject: "{company} च्या पेमेंटमध्ये थोडी अडचण",
  firstBody:
    "{company} चे पेमेंट{amount} पूर्ण झाले नाही. असे होते: कार्डची मुदत संपते, बँका सावध होतात.\n\nआत्ता तुमच्यासाठी काहीच बदलत नाही: {date} पर्यंत सर्व काही चालू राहील.",
  middleSubject: "{company} चे कार्ड अजूनही अपडेट करायचे आहे",
  middleBody: "एक हलकी आठवण: {company} चे पेमेंट{amount} अजून बाकी आहे. {date} पर्यंत तुमचे खाते चालू राहील.",
  lastSubject: "{company} चालू ठेवण्यासाठी अजून वेळ आहे",
  lastBody: "{company} चे पेमेंट{amount} अजून बाकी आहे, आणि सवलतीचा कालावधी {date} रोजी संपतो. {after}",
  after: {
    pause: "त्यानंतर आम्ही काहीही न हटवता खाते थांबवू, आणि तुम्ही हवे तेव्हा पुन्हा सुरू करू शकता.",
    cancel: "त्यानंतर सदस्यता संपेल; तुम्ही परत आलात तर म्हणून तुमचा डेटा काही काळ आमच्याकडे राहील.",
    none: "काहीही बंद करण्यापेक्षा आम्ही मिळून मार्ग काढू इच्छितो.",
  },
  refusedTitle: "ही लिंक चालत नाही",
  refusedBody: "तिची मुदत संपली असेल. आमच्या शेवटच्या ईमेलला उत्तर द्या, आम्ही तुमच्यासोबत ते सोडवू.",
  pausedTitle: "तुमचे खाते थांबवलेले आहे",
  pausedHeading: "{company} थांबवलेले आहे",
  pausedBody: "तुम्ही सोडले तसेच सर्व काही जपून ठेवले आहे.",
  resumeNow: "आत्ता पुन्हा सुरू करा",
  title: "जाण्यापूर्वी",
  intro:
    "आत्ता योग्य वेळ नसेल, तर रद्द करण्याऐवजी {company} थांबवू शकता: थांबवलेले असताना काहीही आकारले जात नाही, आणि परत आल्यावर सर्व काही तसेच असेल.",
  pauseFor: ["१ महिन्यासाठी थांबवा", "२ महिन्यांसाठी थांबवा", "३ महिन्यांसाठी थांबवा"],
  downgrade: "त्याऐवजी स्वस्त प्लॅनवर जा",
  cancel: "माझी सदस्यता रद्द करा",
  reasonLabel: "कारण सांगाल का? (ऐच्छिक, ते टीमकडे जाते)",
  confirm: "निश्चित करा",
  chooseTitle: "कृपया निवडा",
  chooseBody: "कृपया एक पर्याय निवडा",
  doneTitle: "झाले",
  donePause: [
    "{company} १ महिन्यासाठी थांबवले आहे. दरम्यान काहीही आकारले जाणार नाही, आणि सर्व काही जपले जाईल.",
    "{company} २ महिन्यांसाठी थांबवले आहे. दरम्यान काहीही आकारले जाणार नाही, आणि सर्व काही जपले जाईल.",
    "{company} ३ महिन्यांसाठी थांबवले आहे. दरम्यान काहीही आकारले जाणार नाही, आणि सर्व काही जपले जाईल.",
  ],
  doneDowngrade: "पुढच्या बीजकापासून {company} स्वस्त प्लॅनवर जाईल.",
  doneCancel: "{company} रद्द झाले आहे. आमच्यासोबत घालवलेल्या वेळेबद्दल धन्यवाद; कधीही परत या, स्वागत आहे.",
  doneResume: "{company} पुन्हा सुरू झाले आहे. पुन्हा स्वागत!",
  linkMailSubject: "{company} थांबवण्यासाठी किंवा रद्द करण्यासाठी तुमची लिंक",
  linkMailBody:
    "नमस्कार,\n\nतुम्ही {company} थांबवण्याचा किंवा रद्द करण्याचा मार्ग विचारला होता. ही लिंक ते पान उघडते जिथे तुम्ही निवड करता; ती {days} दिवस चालेल:\n{link}\n\nतुम्ही हे विचारले नसेल तर हा ईमेल दुर्लक्षित करा: तुम्ही निवड करेपर्यंत काहीही बदलत नाही.",
};

const ta: BillingText = {
  locale: "ta",
  hello: "வணக்கம் {name},",
  helloThere: "வணக்கம்,",
  amount: " ({amount})",
  updateLink: "அட்டையைப் புதுப்பிக்க ஒரு நிமிடம் போதும், இங்கே:\n{link}",
  updateNoLink: "கணக்கு அமைப்புகளில் அட்டையைப் புதுப்பிக்க ஒரு நிமிடம் போதும்.",
  sign: "ஏதாவது தெளிவில்லை என்றால் இந்த மின்னஞ்சலுக்குப் பதில் அனுப்புங்கள்; அது நேராக என்னிடம் வரும்.",
  expiringSubject: "{company} அட்டையின் காலாவதி நெருங்குகிறது",
  expiringBody:
    "ஒரு சிறிய முன்னறிவிப்பு: {company} கட்டணம் வசூலிக்கும் அட்டை இந்த மாத இறுதியில் காலாவதியாகிறது. இப்போது எந்தச் சிக்கலும் இல்லை, உங்களுக்கு எதுவும் மாறாது.",
  firstSubject: "{company} கட்டணத்தில் ஒரு சிறு தடங்கல்",
  firstBody:
    "{company} கட்டணம்{amount} நிறைவேறவில்லை. இப்படி நடப்பதுண்டு: அட்டைகள் காலாவதியாகும், வங்கிகள் எச்சரிக்கையாகும்.\n\nஇப்போது உங்களுக்கு எதுவும் மாறாது: {date} வரை எல்லாம் இயங்கும்.",
  middleSubject: "{company} அட்டையை இன்னும் புதுப்பிக்க வேண்டும்",
  middleBody:
    "ஒரு மென்மையான நினைவூட்டல்: {company} கட்டணம்{amount} இன்னும் நிலுவையில் உள்ளது. {date} வரை உங்கள் கணக்கு இயங்கும்.",
  lastSubject: "{company} தொடர இன்னும் நேரம் இருக்கிறது",
  lastBody: "{company} கட்டணம்{amount} இன்னும் நிலுவையில் உள்ளது, சலுகைக் காலம் {date} அன்று முடிகிறது. {after}",
  after: {
    pause: "அதன் பிறகு எதையும் அழிக்காமல் கணக்கை இடைநிறுத்துவோம்; நீங்கள் விரும்பும்போது மீண்டும் தொடரலாம்.",
    cancel: "அதன் பிறகு சந்தா முடிவடையும்; நீங்கள் திரும்பி வந்தால் என்பதற்காக உங்கள் தரவு சிறிது காலம் எங்களிடம் இருக்கும்.",
    none: "எதையும் துண்டிப்பதை விட ஒன்றாகச் சரிசெய்யவே விரும்புகிறோம்.",
  },
  refusedTitle: "இந்த இணைப்பு வேலை செய்யவில்லை",
  refusedBody: "இது காலாவதியாகியிருக்கலாம். எங்கள் கடைசி மின்னஞ்சலுக்குப் பதில் அனுப்புங்கள், உங்களுடன் சேர்ந்து சரிசெய்வோம்.",
  pausedTitle: "உங்கள் கணக்கு இடைநிறுத்தப்பட்டுள்ளது",
  pausedHeading: "{company} இடைநிறுத்தப்பட்டுள்ளது",
  pausedBody: "நீங்கள் விட்டுச் சென்றபடியே எல்லாம் வைக்கப்பட்டுள்ளது.",
  resumeNow: "இப்போதே மீண்டும் தொடங்கு",
  title: "நீங்கள் செல்லும் முன்",
  intro:
    "இப்போது சரியான நேரம் இல்லை என்றால், ரத்து செய்வதற்குப் பதிலாக {company} ஐ இடைநிறுத்தலாம்: இடைநிறுத்தத்தின் போது எந்தக் கட்டணமும் இல்லை, நீங்கள் திரும்பும்போது எல்லாம் அப்படியே இருக்கும்.",
  pauseFor: ["1 மாதம் இடைநிறுத்து", "2 மாதங்கள் இடைநிறுத்து", "3 மாதங்கள் இடைநிறுத்து"],
  downgrade: "பதிலாக மலிவான திட்டத்திற்கு மாறு",
  cancel: "என் சந்தாவை ரத்து செய்",
  reasonLabel: "ஏன் என்று சொல்வீர்களா? (விருப்பத்திற்குரியது, இது குழுவுக்குச் செல்லும்)",
  confirm: "உறுதிசெய்",
  chooseTitle: "தயவுசெய்து தேர்ந்தெடுங்கள்",
  chooseBody: "தயவுசெய்து ஒரு விருப்பத்தைத் தேர்ந்தெடுங்கள்",
  doneTitle: "முடிந்தது",
  donePause: [
    "{company} 1 மாதத்திற்கு இடைநிறுத்தப்பட்டது. இடையில் எந்தக் கட்டணமும் இல்லை, எல்லாம் பாதுகாக்கப்படும்.",
    "{company} 2 மாதங்களுக்கு இடைநிறுத்தப்பட்டது. இடையில் எந்தக் கட்டணமும் இல்லை, எல்லாம் பாதுகாக்கப்படும்.",
    "{company} 3 மாதங்களுக்கு இடைநிறுத்தப்பட்டது. இடையில் எந்தக் கட்டணமும் இல்லை, எல்லாம் பாதுகாக்கப்படும்.",
  ],
  doneDowngrade: "அடுத்த விலைப்பட்டியலிலிருந்து {company} மலிவான திட்டத்திற்கு மாறும்.",
  doneCancel: "{company} ரத்து செய்யப்பட்டது. எங்களுடன் செலவிட்ட நேரத்திற்கு நன்றி; எப்போது வேண்டுமானாலும் திரும்ப வரலாம்.",
  doneResume: "{company} மீண்டும் இயங்குகிறது. மீண்டும் வரவேற்கிறோம்!",
  linkMailSubject: "{company} ஐ இடைநிறுத்த அல்லது ரத்துசெய்ய உங்கள் இணைப்பு",
  linkMailBody:
    "வணக்கம்,\n\n{company} ஐ இடைநிறுத்த அல்லது ரத்துசெய்ய ஒரு வழி கேட்டீர்கள். இந்த இணைப்பு நீங்கள் தேர்வு செய்யும் பக்கத்தைத் திறக்கும்; இது {days} நாட்கள் செல்லும்:\n{link}\n\nநீங்கள் கேட்கவில்லை என்றால் இந்த மின்னஞ்சலைப் புறக்கணியுங்கள்: நீங்கள் தேர்வு செய்யும் வரை எதுவும் மாறாது.",
};

const ha: BillingText = {
  locale: "ha",
  hello: "Sannu {name},",
  helloThere: "Sannu,",
  amount: " ({amount})",
  updateLink: "Sabunta katin yana ɗaukar minti ɗaya, a nan:\n{link}",
  updateNoLink: "Sabunta katin a saitunan asusunku yana ɗaukar minti ɗaya.",
  sign: "Idan wani abu bai bayyana ba, ku amsa wannan imel kawai; yana zuwa kai tsaye gare ni.",
  expiringSubject: "Katin {company} zai ƙare nan ba da jimawa ba",
  expiringBody:
    "Ƙaramin sanarwa: katin da muke cajin {company} da shi zai ƙare a ƙarshen wata. Babu abin da ya lalace tukuna, kuma babu abin da zai canza muku.",
  firstSubject: "Ɗan matsala da biyan kuɗin {company}",
  firstBody:
    "Biyan kuɗin{amount} na {company} bai tafi ba. Yakan faru: katuna kan ƙare, bankuna kan yi hankali.\n\nBabu abin da zai canza muku yanzu: komai zai ci gaba da aiki har zuwa {date}.",
  middleSubject: "Katin {company} har yanzu yana buƙatar sabuntawa",
  middleBody:
    "Tunatarwa a hankali: biyan kuɗin{amount} na {company} har yanzu a buɗe yake. Asusunku zai ci gaba da aiki har zuwa {date}.",
  lastSubject: "Akwai sauran lokaci don ci gaba da {company}",
  lastBody:
    "Biyan kuɗin{amount} na {company} har yanzu a buɗe yake, kuma lokacin jinkiri zai ƙare a {date}. {after}",
  after: {
    pause:
      "Bayan haka za mu dakatar da asusun maimakon mu goge komai, kuma za ku iya ci gaba duk lokacin da kuke so.",
    cancel: "Bayan haka biyan kuɗin zai ƙare; bayananku za su zauna tare da mu na ɗan lokaci idan kun dawo.",
    none: "Mun fi son mu warware shi tare da a yanke wani abu.",
  },
  refusedTitle: "Wannan mahaɗin ba ya aiki",
  refusedBody: "Wataƙila ya ƙare. Ku amsa imel ɗinmu na ƙarshe kuma za mu gyara shi tare da ku.",
  pausedTitle: "An dakatar da asusunku",
  pausedHeading: "An dakatar da {company}",
  pausedBody: "An ajiye komai kamar yadda kuka bar shi.",
  resumeNow: "Ci gaba yanzu",
  title: "Kafin ku tafi",
  intro:
    "Idan yanzu ba lokaci ne mai dacewa ba, za ku iya dakatar da {company} maimakon soke shi: babu caji yayin dakatarwa, kuma za a ajiye komai har ku dawo.",
  pauseFor: ["Dakatar na wata 1", "Dakatar na watanni 2", "Dakatar na watanni 3"],
  downgrade: "Koma zuwa tsari mai rahusa maimakon haka",
  cancel: "Soke biyan kuɗina",
  reasonLabel: "Za ku faɗa mana dalili? (ba dole ba ne, zai je wurin ƙungiyar)",
  confirm: "Tabbatar",
  chooseTitle: "Da fatan za a zaɓa",
  chooseBody: "Da fatan za a zaɓi ɗaya daga cikin zaɓuɓɓukan",
  doneTitle: "An gama",
  donePause: [
    "An dakatar da {company} na wata 1. Babu caji a wannan lokacin, kuma za a ajiye komai.",
    "An dakatar da {company} na watanni 2. Babu caji a wannan lokacin, kuma za a ajiye komai.",
    "An dakatar da {company} na watanni 3. Babu caji a wannan lokacin, kuma za a ajiye komai.",
  ],
  doneDowngrade: "{company} zai koma tsari mai rahusa daga takardar kuɗi ta gaba.",
  doneCancel:
    "An soke {company}. Mun gode da lokacin da kuka yi tare da mu; kuna maraba ku dawo kowane lokaci.",
  doneResume: "{company} yana aiki kuma. Barka da dawowa!",
  linkMailSubject: "Mahadarka don dakatar ko soke {company}",
  linkMailBody:
    "Sannu,\n\nKa nemi hanyar dakatar ko soke {company}. Wannan mahadar tana buɗe shafin da za ka zaɓa; tana aiki na kwanaki {days}:\n{link}\n\nIdan ba kai ka nema ba, ka yi watsi da wannan imel: babu abin da zai canza har sai ka zaɓa.",
};

const yo: BillingText = {
  locale: "yo",
  hello: "Ẹ n lẹ {name},",
  helloThere: "Ẹ n lẹ,",
  amount: " ({amount})",
  updateLink: "Ìṣẹ́jú kan péré ni láti ṣe àtúnṣe káàdì náà, níbí:\n{link}",
  updateNoLink: "Ìṣẹ́jú kan péré ni láti ṣe àtúnṣe káàdì náà nínú ètò àkọọ́lẹ̀ yín.",
  sign: "Tí ohunkóhun kò bá yé yín, ẹ kàn fèsì sí í-meèlì yìí; ọ̀dọ̀ mi ló ń bọ̀ tààrà.",
  expiringSubject: "Káàdì {company} yóò parí láìpẹ́",
  expiringBody:
    "Ìkìlọ̀ kékeré: káàdì tí a fi ń gba owó {company} yóò parí ní òpin oṣù. Kò sí ohun tó bàjẹ́ síbẹ̀, kò sì sí ohun tó máa yí padà fún yín.",
  firstSubject: "Ìdíwọ́ kékeré nínú ìsanwó {company}",
  firstBody:
    "Ìsanwó{amount} fún {company} kò lọ. Ó máa ń ṣẹlẹ̀: àwọn káàdì máa ń parí, àwọn ilé ìfowópamọ́ máa ń ṣọ́ra.\n\nKò sí ohun tó yí padà fún yín báyìí: gbogbo nǹkan yóò máa ṣiṣẹ́ títí di {date}.",
  middleSubject: "Káàdì {company} ṣì nílò àtúnṣe kékeré",
  middleBody:
    "Ìrántí pẹ̀lẹ́: ìsanwó{amount} fún {company} ṣì wà ní ṣíṣí. Àkọọ́lẹ̀ yín yóò máa ṣiṣẹ́ títí di {date}.",
  lastSubject: "Àkókò ṣì wà láti jẹ́ kí {company} máa bá a lọ",
  lastBody: "Ìsanwó{amount} fún {company} ṣì wà ní ṣíṣí, àkókò ìfaradà yóò sì parí ní {date}. {after}",
  after: {
    pause: "Lẹ́yìn náà a ó dá àkọọ́lẹ̀ dúró dípò kí a pa ohunkóhun rẹ́, ẹ sì lè tún bẹ̀rẹ̀ nígbàkígbà tí ẹ bá fẹ́.",
    cancel: "Lẹ́yìn náà ìforúkọsílẹ̀ yóò parí; dátà yín yóò wà lọ́dọ̀ wa fún ìgbà díẹ̀ bí ẹ bá padà wá.",
    none: "A fẹ́ràn kí a jọ yanjú rẹ̀ ju kí a gé ohunkóhun kúrò.",
  },
  refusedTitle: "Ìjápọ̀ yìí kò ṣiṣẹ́",
  refusedBody: "Ó lè ti parí. Ẹ fèsì sí í-meèlì wa tó kẹ́yìn, a ó sì jọ yanjú rẹ̀.",
  pausedTitle: "A ti dá àkọọ́lẹ̀ yín dúró",
  pausedHeading: "A ti dá {company} dúró",
  pausedBody: "Gbogbo nǹkan wà bí ẹ ṣe fi í sílẹ̀.",
  resumeNow: "Tún bẹ̀rẹ̀ báyìí",
  title: "Kí ẹ tó lọ",
  intro:
    "Tí àsìkò yìí kò bá dára, ẹ lè dá {company} dúró dípò kí ẹ fagilé: a kò ní gba owó nígbà tí ó bá dúró, gbogbo nǹkan yóò sì wà fún ìgbà tí ẹ bá padà.",
  pauseFor: ["Dá dúró fún oṣù 1", "Dá dúró fún oṣù 2", "Dá dúró fún oṣù 3"],
  downgrade: "Lọ sí ètò tí ó dín owó kù dípò bẹ́ẹ̀",
  cancel: "Fagilé ìforúkọsílẹ̀ mi",
  reasonLabel: "Ṣé ẹ lè sọ ìdí fún wa? (kò pọn dandan, ó ń lọ sọ́dọ̀ ẹgbẹ́)",
  confirm: "Jẹ́rìí sí i",
  chooseTitle: "Ẹ jọ̀wọ́ ẹ yan",
  chooseBody: "Ẹ jọ̀wọ́ ẹ yan ọ̀kan nínú àwọn àṣàyàn",
  doneTitle: "Ó ti parí",
  donePause: [
    "A ti dá {company} dúró fún oṣù 1. A kò ní gba owó láàárín àkókò náà, gbogbo nǹkan yóò sì wà.",
    "A ti dá {company} dúró fún oṣù 2. A kò ní gba owó láàárín àkókò náà, gbogbo nǹkan yóò sì wà.",
    "A ti dá {company} dúró fún oṣù 3. A kò ní gba owó láàárín àkókò náà, gbogbo nǹkan yóò sì wà.",
  ],
  doneDowngrade: "{company} yóò lọ sí ètò tí ó dín owó kù láti ìwé owó tó ń bọ̀.",
  doneCancel: "A ti fagilé {company}. A dúpẹ́ fún àkókò tí ẹ lò pẹ̀lú wa; ẹ káàbọ̀ nígbàkígbà.",
  doneResume: "{company} tún ń ṣiṣẹ́. Ẹ káàbọ̀ padà!",
  linkMailSubject: "Ìjápọ̀ rẹ láti dá {company} dúró tàbí fagilé e",
  linkMailBody:
    "Ẹ n lẹ,\n\nO béèrè ọ̀nà láti dá {company} dúró tàbí láti fagilé e. Ìjápọ̀ yìí ṣí ojú-ìwé tí o ti lè yàn; ó ń ṣiṣẹ́ fún ọjọ́ {days}:\n{link}\n\nTí kì í ṣe ìwọ ni o béèrè, fojú fo ímeèlì yìí: kò sí ohun tó máa yí padà títí o fi yàn.",
};

export const billingTexts: Record<Language, BillingText> = { en, bn, mr, ta, ha, yo };

/** A page's language: the browser's Accept-Language, else English. */
export function pageLanguage(acceptLanguage: string | undefined): Language {
  return negotiateLanguage(acceptLanguage, "en");
}

/** A contact's language from its attributes (`language` or `locale`, as surveys read it), else the fallback. */
export function contactLanguage(attributes: unknown, fallback: Language = "en"): Language {
  const record = (attributes ?? {}) as Record<string, unknown>;
  const wanted = String(record.language ?? record.locale ?? "")
    .toLowerCase()
    .split(/[-_]/)[0];
  return isLanguage(wanted) ? wanted : fallback;
}

export { fill, isLanguage, type Language };
