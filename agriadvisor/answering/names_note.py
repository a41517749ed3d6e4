"""Lines an answer gains from the names a question used: what a brand or variety is, and which crop
was assumed when none was named.

"What is Regent?" gets, before the guide's advice, what Regent is (its active ingredient and what
it is used against, from knowledge/products.yaml) and, after it, the label-dose line and where the
brand is sold. A question that names no crop ("How can I control caterpillars?") is answered from
the closest guide; the answer then says which crop that was and ends with one short line inviting
the crop, in the language of the answer.

Example:
    >>> ans = add_name_lines(ans)   # doctest: +SKIP
    >>> ans.text.splitlines()[-1]    # doctest: +SKIP
    'Answered for rice. Which crop is yours? Send its name.'
"""

from __future__ import annotations

from agriadvisor.models import Answer, NameMatch

#: The note that marks an answer given for a crop the farmer did not name (the bot asks back on it).
ASSUMED_CROP = "no crop named"

_CROP_NAMES = {
    "hi": {"rice": "धान", "wheat": "गेहूं", "maize": "मक्का", "barley": "जौ", "sorghum": "ज्वार", "cotton": "कपास",
           "sugarcane": "गन्ना", "millets": "बाजरा/मोटे अनाज", "soybean": "सोयाबीन"},
    "bn": {"rice": "ধান", "wheat": "গম", "maize": "ভুট্টা", "barley": "যব", "sorghum": "জোয়ার", "cotton": "তুলা",
           "sugarcane": "আখ", "millets": "কাউন/মিলেট", "soybean": "সয়াবিন"},
    "ur": {"rice": "دھان", "wheat": "گندم", "maize": "مکئی", "barley": "جو", "sorghum": "جوار", "cotton": "کپاس",
           "sugarcane": "گنا", "millets": "باجرہ", "soybean": "سویابین"},
    "ne": {"rice": "धान", "wheat": "गहुँ", "maize": "मकै", "barley": "जौ", "sorghum": "जुनेलो", "cotton": "कपास",
           "sugarcane": "उखु", "millets": "कोदो", "soybean": "भटमास"},
    "si": {"rice": "වී", "wheat": "තිරිඟු", "maize": "බඩ ඉරිඟු", "barley": "බාර්ලි", "sorghum": "ඉරිඟු", "cotton": "කපු",
           "sugarcane": "උක්", "millets": "කුරක්කන්", "soybean": "සෝයා"},
    "ta": {"rice": "நெல்", "wheat": "கோதுமை", "maize": "மக்காச்சோளம்", "barley": "பார்லி", "sorghum": "சோளம்",
           "cotton": "பருத்தி", "sugarcane": "கரும்பு", "millets": "சிறுதானியம்", "soybean": "சோயாபீன்"},
}
_ASK_CROP = {
    "en": "Answered for {crop}. Which crop is yours? Send its name.",
    "hi": "यह उत्तर {crop} के लिए है। आपकी फसल कौन सी है? उसका नाम भेजें।",
    "bn": "উত্তরটি {crop}-এর জন্য। আপনার ফসল কোনটি? তার নাম পাঠান।",
    "ur": "یہ جواب {crop} کے لیے ہے۔ آپ کی فصل کون سی ہے؟ اس کا نام بھیجیں۔",
    "ne": "यो उत्तर {crop}का लागि हो। तपाईंको बाली कुन हो? त्यसको नाम पठाउनुहोस्।",
    "si": "මෙම පිළිතුර {crop} සඳහායි. ඔබේ බෝගය කුමක්ද? එහි නම එවන්න.",
    "ta": "இந்தப் பதில் {crop} பயிருக்கானது. உங்கள் பயிர் எது? அதன் பெயரை அனுப்புங்கள்.",
}
_LABEL_DOSE = "Use any such product only at the dose, interval and waiting period written on its label."
_ARTICLE = {"insecticide": "an insecticide", "acaricide": "an acaricide (miticide)", "fungicide": "a fungicide",
            "herbicide": "a herbicide (weedicide)", "bactericide": "a bactericide", "nematicide": "a nematicide",
            "rodenticide": "a rodenticide", "fertiliser": "a fertiliser", "micronutrient": "a micronutrient fertiliser",
            "biofertiliser": "a biofertiliser", "biopesticide": "a biopesticide", "biostimulant": "a biostimulant",
            "growth_regulator": "a plant growth regulator"}


def ask_crop_line(crop: str, language: str) -> str:
    """The one short line that says which crop was assumed and asks for the farmer's own."""
    lang = language if language in _ASK_CROP else "en"
    return _ASK_CROP[lang].format(crop=_CROP_NAMES.get(lang, {}).get(crop, crop))


def product_lead(m: NameMatch) -> str:
    """'Regent is a trade name for fipronil (0.3% GR, 5% SC), an insecticide; used against ...'"""
    form = f" ({', '.join(m.formulation)})" if m.formulation else ""
    what = _ARTICLE.get(m.category or "", "a farm product")
    used = f"; it is used against {m.controls}" if m.controls and m.category in _PESTICIDES else (
        f": {m.controls}" if m.controls else "")
    return f"{m.name} is a trade name for {' + '.join(m.actives)}{form}, {what}{used}."


def variety_lead(m: NameMatch) -> str:
    """'PBW 621 is a wheat variety released in India (maturity; traits).'"""
    where = " and ".join(m.countries)
    extra = "; ".join(x for x in (m.maturity, ", ".join(m.traits)) if x)
    return f"{m.name} is a {m.crop} variety released in {where}" + (f" ({extra})." if extra else ".")


_PESTICIDES = frozenset({"insecticide", "acaricide", "fungicide", "herbicide", "bactericide", "nematicide",
                         "rodenticide", "biopesticide"})


def add_name_lines(ans: Answer) -> Answer:
    """Add the brand/variety lead, the label-dose and where-sold lines, and the assumed-crop line."""
    if ans.outcome != "answered":
        return ans
    q = ans.query
    products = [m for m in q.names if m.kind == "product"]
    varieties = [m for m in q.names if m.kind == "variety"]
    lead = [product_lead(m) for m in products] + [variety_lead(m) for m in varieties]
    tail: list[str] = []
    if any(m.category in _PESTICIDES for m in products):
        tail.append(_LABEL_DOSE)
    for m in products:
        if q.country and m.countries and q.country not in m.countries:
            tail.append(f"{m.name} is listed here for {' and '.join(m.countries)}; in {q.country} ask for a product "
                        f"with the same active ingredient that is registered there.")
    tail_en = list(tail)
    assumed = _assumed_crop(ans)
    if assumed:
        q.notes.append(f"{ASSUMED_CROP}; answered for {assumed} (the closest guide): say the crop for advice on yours")
        tail.append(ask_crop_line(assumed, getattr(ans, "language", "") or q.language))
        tail_en.append(ask_crop_line(assumed, "en"))
    if lead or tail:
        ans.text = "\n".join([*lead, ans.text, *tail])
        if getattr(ans, "text_en", ""):  # the English audit copy gets the same lines
            ans.text_en = "\n".join([*lead, ans.text_en, *tail_en])
    return ans


def pending_question(last_answer: str | None, text: str, understanding: object) -> tuple[str, str | None]:
    """The question to answer now, and the crop to answer it for.

    When the previous answer assumed a crop (and asked for the farmer's) and this message only names
    a crop ("dhan", "wheat", "ধান"), the previous question is answered again for that crop;
    otherwise the message itself, with no crop forced.
    """
    if not last_answer or ASSUMED_CROP not in last_answer or len(text.split()) > 4:
        return text, None
    info = understanding.run(text)  # type: ignore[attr-defined]
    if info.crop is None or info.crop_from != "question" or info.topics or info.names:
        return text, None
    try:
        previous = Answer.model_validate_json(last_answer)
    except ValueError:
        return text, None
    if not any(n.startswith(ASSUMED_CROP) for n in previous.query.notes):
        return text, None
    return previous.question, info.crop


def _assumed_crop(ans: Answer) -> str | None:
    """The crop of the guide that answered, when the farmer named none and the guide is crop-specific."""
    if ans.query.crop is not None:
        return None
    return next((c.crop for c in ans.citations if c.crop and c.crop != "all"), None)


__all__ = ["ASSUMED_CROP", "add_name_lines", "ask_crop_line", "pending_question", "product_lead", "variety_lead"]
