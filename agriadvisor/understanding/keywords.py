"""English and romanized cue words for stages and topics (glossary entries add local ones)."""

from __future__ import annotations

STAGE_CUES: dict[str, tuple[str, ...]] = {
    "pre_sowing": ("land preparation", "prepare land", "ploughing", "plough", "plowing", "tillage", "seed treatment",
                   "treat seed", "before sowing", "variety", "varieties", "which variety", "seed selection", "nursery bed",
                   "puddling", "levelling", "leveling", "soil test", "khet ki taiyari", "beej upchar", "kism", "sett", "setts"),
    "sowing": ("sow", "sowing", "sown", "plant", "planting", "transplant", "transplanting", "seed rate", "spacing",
               "nursery", "when to sow", "sowing time", "buwai", "buvai", "bowai", "bijai", "ropai", "ropni", "rupai",
               "boai", "lagaune", "ropne", "बुवाई", "बुआई", "बोने", "बोनी", "रोपाई", "रोप्ने", "रोपनी", "छर्ने",
               "বপন", "রোপণ", "বোনা", "بوائی", "کاشت", "بیجائی", "වැපිරීම", "සිටුවීම", "විතැගීම", "விதைப்பு", "நடவு",
               "விதைக்க", "lawai", "lavai", "لوائی", "faasla", "fasla", "فاصلہ", "दूरी", "duri", "দূরত্ব", "இடைவெளி", "පරතරය",
               "වී ඉසින්න", "පැළ වී", "වපුරන්න", "වපුරනවා", "වැපිරුවාම", "සිටුවන්න", "සිටුවනවා",
               # verb forms farmers type: Bengali "to sow / if sown / planting", Hindi, Urdu, Nepali, Tamil
               "বুনতে", "বুনব", "বুনবো", "বুনলে", "বোনার", "বপনের", "রোপণের", "লাগানোর", "লাগাব", "লাগাবো", "লাগালে", "লাগাতে",
               "bunbo", "bunte", "bunle", "lagabo", "lagale", "koto dure", "kato dure", "দূরত্ব কত",
               "बोएं", "बोयें", "बोना", "बोई", "बुआई", "रोपें", "लगाएं", "بوئیں", "بونا", "بوائی", "کاشت", "لگائیں",
               "छर्दा", "छर्नु", "रोप्दा", "boye", "boyen", "boyein", "boen", "bona", "bote", "ugaye", "ugayen", "விதைக்கலாம்", "விதைப்பது", "நடலாம்", "நடவுக்கு"),
    "vegetative": ("tiller", "tillers", "tillering", "seedling", "seedlings", "young", "vegetative", "knee high",
                   "top dressing", "top-dress", "weeding", "earthing up", "gap filling", "thinning", "growth stage"),
    "reproductive": ("flower", "flowering", "panicle", "heading", "ear", "ears", "earhead", "boll", "bolls", "square",
                     "squares", "tassel", "tasseling", "silk", "silking", "grain filling", "milky", "pod", "pods",
                     "booting", "anthesis", "phool", "bali", "baali", "dana"),
    "maturity": ("कटाई", "काट्ने", "बाली काट्ने", "কাটা", "ফসল কাটা", "کٹائی", "අස්වනු", "அறுவடை",
                 "কাটব", "কাটবো", "কাটতে", "কাটার", "काटें", "काटने", "काटना", "کاٹیں", "کاٹنا", "काट्दा", "அறுக்க",
                 "அறுவடைக்கு", "ready to harvest", "ready to cut", "when to harvest", "when to cut", "should i cut", "when should i cut",
                 "ready for cutting", "ready for harvest", "ready for harvesting", "cut now", "kete felbo", "katbo",
                 "kaatbo", "peke geche", "পেকে গেছে", "কেটে ফেলব", "harvest", "harvesting", "mature", "maturity", "ripening", "ripe", "cut the crop", "katai", "katai",
                 "kataai", "combine"),
    "post_harvest": ("भंडारण", "भण्डारण", "সংরক্ষণ", "ذخیرہ", "ගබඩා", "சேமிப்பு", "storage", "store", "storing", "dry the grain", "drying the grain", "grain drying", "drying grain",
                     "drying paddy", "paddy drying", "threshing", "thresh", "post harvest",
                     "post-harvest", "godown", "moisture content", "bhandaran", "after harvest", "harvested", "last picking",
                     "picking done", "cotton sticks", "காய வைக்க", "காய வெச்சு", "காய வைக்கணும்", "காயவைத்து",
                     "அறுவடை செஞ்ச", "அறுவடை செய்த", "कटाई के बाद", "katai ke baad", "কাটার পর", "کٹائی کے بعد", "சேமிக்க", "சேமிக்கணும்", "சேமிப்பது", "சேமித்து",
                     "சேமிக்கலாம்", "भंडारण", "भण्डारण गर्ने", "ذخیرہ کریں", "සංරක්ෂණය", "গুদামজাত", "stubble", "residue", "straw", "parali"),
}

# "Which variety?" is asked before sowing, whatever verb comes with it ("kun jaat lagaune"):
# each counts four votes for pre_sowing, more than a sowing verb found in both the glossary (two) and the cues (one).
VARIETY_WORDS: tuple[str, ...] = (
    "variety", "varieties", "cultivar", "kism", "kisam", "qism", "qisam", "prajati", "jaat", "prabheda", "ragam",
    "किस्म", "किस्में", "प्रजाति", "जात", "জাত", "قسم", "اقسام", "ප්‍රභේද", "ප්‍රභේදය", "ரகம்", "இரகம்", "இனம்",
    "இனத்தை", "ரகத்தை",
)

# "Before sowing" in six languages, and jobs done before sowing (choosing seed cane, a germination
# test): the question is about preparing, even though it names the sowing verb; counts four votes
# for pre_sowing like a variety word.
BEFORE_SOWING: tuple[str, ...] = (
    "seed cane", "sett treatment", "germination test", "germination percentage", "अंकुरण परीक्षण", "अंकुरण क्षमता",
    "बुवाई से पहले", "बोने से पहले", "रोपाई से पहले", "छर्नु अघि", "रोप्नु अघि", "लगाउनु अघि", "বপনের আগে",
    "বোনার আগে", "লাগানোর আগে", "بوائی سے پہلے", "کاشت سے پہلے", "بونے سے پہلے", "விதைப்பதற்கு முன்",
    "நடவுக்கு முன்", "වපුරන්න කලින්", "සිටුවන්න කලින්", "bone se pehle", "buvai se pehle",
    "kasht se pehle", "chharnu aghi", "ropnu aghi", "bonar age",
)

# "Sown 15 days ago", "ropai kar di": the crop is already in the ground, so the question is about
# its care; counts four votes for vegetative, more than the sowing verb inside it.
AFTER_SOWING: tuple[str, ...] = (
    "sowed", "days after sowing", "days after transplanting", "das", "dat", "after transplanting",
    "बोए", "बोया", "बो दिया", "बो दी", "रोपाई कर दी", "रोपाई कर दिया", "bo diya", "bo di", "boya", "ropai kar di",
    "ropai kar diya", "buvai kar di", "रोपेको", "छरेको", "ropeko", "chhareko", "বুনেছি", "লাগিয়েছি", "রোপণ করেছি",
    "بویا", "بو دی", "بو دیا", "لوائی کے بعد", "کاشت کے بعد", "بوائی کے بعد", "रोपाई के बाद", "बुवाई के बाद",
    "ropai ke baad", "buvai ke baad", "bowai ke baad", "நட்டு", "விதைத்து", "விதைச்சேன்", "விதைத்தேன்", "விதைச்சோம்", "நட்டேன்", "நட்டோம்", "වැපිරුවා", "සිටෙව්වා",
)

TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "soil": ("soil", "land", "acidic", "saline", "salinity", "alkaline", "ph", "organic matter", "mitti"),
    "seed": ("seed", "seeds", "variety", "varieties", "hybrid", "beej", "bij", "kism"),
    "nutrients": ("fertiliser", "fertilizer", "fertilisers", "fertilizers", "urea", "dap", "potash", "mop", "npk",
                  "nitrogen", "phosphorus", "potassium", "zinc", "boron", "sulphur", "sulfur", "manure", "compost",
                  "nutrient", "nutrients", "deficiency", "yellowing", "khad", "khaad", "khat", "saar", "mal"),
    "water": ("irrigation", "irrigate", "water", "watering", "drainage", "flood", "waterlogging", "sinchai", "pani",
              "paani", "awd", "drip"),
    "pests": ("pest", "pests", "insect", "insects", "borer", "worm", "caterpillar", "larva", "larvae", "aphid", "aphids",
              "hopper", "planthopper", "whitefly", "bollworm", "armyworm", "termite", "termites", "mite", "mites",
              "thrips", "jassid", "bug", "bugs", "keeda", "keede", "kida", "kide", "sundi", "poka", "kira", "rat", "rats"),
    "diseases": ("disease", "diseases", "blight", "blast", "rust", "smut", "rot", "wilt", "mildew", "virus", "spot",
                 "spots", "fungus", "fungal", "bacterial", "mosaic", "curl", "rog", "bimari", "bimaari", "rogue"),
    "weeds": ("weed", "weeds", "weeding", "herbicide", "weedicide", "kharpatwar", "khar patwar", "ghas", "jhar", "nindai"),
    "weather": ("rain", "rainfall", "drought", "heat", "heatwave", "cold", "fog", "frost", "hail", "cyclone", "storm",
                "monsoon", "weather", "flood", "barish", "baarish", "mausam"),
    "harvest": ("harvest", "harvesting", "yield", "maturity", "katai"),
    "storage": ("storage", "store", "storing", "godown", "dry the grain", "grain drying", "moisture content"),
    "economics": ("price", "cost", "profit", "insurance", "subsidy", "loan", "market", "msp", "sell", "selling",
                  "sale", "bhav", "daam", "mandi", "bechna", "bechne", "beche", "बेचना", "बेचने", "बेचें", "बिक्री", "भाव",
                  "दाम", "मंडी", "मण्डी", "बेच्ने", "बेच्दा", "বিক্রি", "বেচা", "বেচতে", "দাম", "بیچنا", "بیچنے", "قیمت",
                  "منڈی", "ریٹ", "விற்க", "விற்பனை", "விலை", "விக்க", "விக்கணும்", "விற்கணும்", "විකුණ", "විකුණන්න", "මිල"),
    "safety": ("ppe", "protective", "mask", "gloves", "poisoning", "safe handling"),
}

# Question words in six languages and romanized forms -> English, so a question asked in
# Bengali or Sinhala still tells the English embedder *what* is asked (when, how much, how).
INTENT_CUES: dict[str, tuple[str, ...]] = {
    "when time": ("kab", "kabe", "kokhon", "kahile", "kaha", "कब", "कहिले", "কখন", "کب", "කවදා", "எப்போது",
                  "eppothu", "kavadda", "කවදාද", "කොයි කාලෙද"),
    "how much dose rate": ("kitna", "kitni", "kitne", "koto", "kati", "कितना", "कितनी", "कति", "কত", "কতটুকু",
                           "کتنا", "کتنی", "කීයද", "කොපමණ", "කොච්චර", "எவ்வளவு", "எத்தனை", "evvalavu", "matra", "मात्रा", "মাত্রা", "مقدار"),
    "how to method": ("kaise", "kese", "kivabe", "kibhabe", "kasari", "कैसे", "कसरी", "কিভাবে", "কীভাবে", "کیسے",
                      "කොහොමද", "කෙසේද", "எப்படி", "eppadi"),
    "control management treatment": ("ilaj", "ilaaj", "upchar", "upay", "roktham", "niyantran", "इलाज", "उपचार",
                                     "उपाय", "नियंत्रण", "रोकथाम", "नियन्त्रण", "দমন", "প্রতিকার", "চিকিৎসা", "علاج",
                                     "تدارک", "روک", "පාලනය", "මර්දනය", "கட்டுப்பாடு", "கட்டுப்படுத்த", "daman"),
    "which": ("kaunsi", "konsi", "kon", "kaun", "kun", "कौन", "कौनसी", "कुन", "কোন", "کون", "کونسی",
              "මොන", "කුමන", "எந்த", "entha"),
    "why cause": ("kyon", "kyu", "kyun", "keno", "kina", "क्यों", "किन", "কেন", "کیوں", "ඇයි", "ஏன்"),
    "yellow leaves": ("peela", "peeli", "pila", "holud", "पीला", "पीली", "पहेंलो", "হলুদ", "پیلا", "پیلی",
                      "කහ", "மஞ்சள்"),
    "drying dying": ("sukh", "sookh", "sukhna", "सूख", "सुक", "শুকিয়ে", "سوکھ", "වියළී", "காய்ந்து"),
}

# What each topic or stage id means in plain English, for the search gloss.
TOPIC_WORDS = {
    "soil": "soil", "seed": "seed variety", "nutrients": "fertiliser dose", "water": "irrigation water",
    "pests": "insect pest control", "diseases": "disease control", "weeds": "weed control",
    "weather": "weather", "harvest": "harvest", "storage": "storage", "economics": "price insurance",
    "safety": "safety",
}
STAGE_WORDS = {
    "pre_sowing": "land preparation seed treatment", "sowing": "sowing time seed rate", "vegetative": "growth",
    "reproductive": "flowering grain filling", "maturity": "harvest", "post_harvest": "drying storage",
    "whole_season": "",
}
