"""Query understanding in six languages and romanized forms, with the shipped glossary."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.understanding import QueryUnderstanding

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def qu() -> QueryUnderstanding:
    return QueryUnderstanding.from_folder(KNOWLEDGE)


@pytest.mark.parametrize("question, language, crop, country", [
    ("dhan me tana chhedak ka ilaj", "hi_latn", "rice", None),
    ("kapas ki gulabi sundi", "hi_latn", "cotton", None),
    ("गेहूं की बुवाई कब करें", "hi", "wheat", "India"),
    ("গমের ব্লাস্ট রোগ", "bn", "wheat", "Bangladesh"),
    ("گندم کی بوائی کب کریں", "ur", "wheat", "Pakistan"),
    ("गहुँ कहिले रोप्ने?", "ne", "wheat", "Nepal"),
    ("වී වගාවට පොහොර", "si", "rice", "Sri Lanka"),
    ("நெல் பயிரில் குலை நோய்", "ta", "rice", None),
    ("bajra ki buwai rajasthan me", "hi_latn", "millets", "India"),
    ("kurakkan in anuradhapura", "en", "millets", "Sri Lanka"),
    ("maize fall armyworm in Chitwan", "en", "maize", "Nepal"),
])
def test_language_crop_country(qu: QueryUnderstanding, question: str, language: str, crop: str, country: str | None) -> None:
    info = qu.run(question)
    assert info.language == language
    assert info.crop == crop
    assert info.country == country


def test_pest_word_implies_crop_and_topic(qu: QueryUnderstanding) -> None:
    info = qu.run("gulabi sundi ka ilaj")
    assert info.crop == "cotton" and "pests" in info.topics
    assert any("pink bollworm" in t for t in info.terms)


def test_ambiguous_punjab_is_noted_not_guessed(qu: QueryUnderstanding) -> None:
    info = qu.run("best time to sow wheat in punjab")
    assert info.country is None
    assert any("India" in n and "Pakistan" in n for n in info.notes)


def test_ambiguous_punjab_resolved_by_script(qu: QueryUnderstanding) -> None:
    assert qu.run("پنجاب میں گندم کی بوائی").country == "Pakistan"


def test_place_words_do_not_trigger_practices(qu: QueryUnderstanding) -> None:
    info = qu.run("sri lanka paddy fertiliser")
    assert info.country == "Sri Lanka" and info.crop == "rice"
    assert not any("intensification" in t for t in info.terms)


def test_explicit_arguments_win(qu: QueryUnderstanding) -> None:
    info = qu.run("wheat in Nepal", country="India", crop="rice", stage="maturity")
    assert (info.country, info.crop, info.stage) == ("India", "rice", "maturity")
    assert info.country_from == info.crop_from == info.stage_from == "argument"


def test_context_fills_gaps_only(qu: QueryUnderstanding) -> None:
    ctx = {"country": "Nepal", "crop": "wheat", "stage": None}
    info = qu.run("when should I irrigate?", context=ctx)
    assert (info.country, info.crop) == ("Nepal", "wheat")
    assert info.crop_from == "context"
    assert qu.run("rice blast", context=ctx).crop == "rice"


def test_two_crops_are_reported(qu: QueryUnderstanding) -> None:
    info = qu.run("should I grow wheat or maize after rice?")
    assert len(info.crops_mentioned) >= 2
    assert any("several crops" in n for n in info.notes)


@pytest.mark.parametrize("question", ["🌾🌾 ??", "1234 5678", "wheat " * 400, "धान rice ধান نعم 🌾"])
def test_messy_input_does_not_crash(qu: QueryUnderstanding, question: str) -> None:
    info = qu.run(question)
    assert info.text == question
    assert info.language


def test_stage_inferred(qu: QueryUnderstanding) -> None:
    assert qu.run("how to store wheat grain after threshing").stage == "post_harvest"
    assert qu.run("when to harvest paddy").stage == "maturity"
    assert qu.run("seed rate for sowing maize").stage == "sowing"


@pytest.mark.parametrize("question, crop", [
    ("تھل میں باجرے کی کاشت کب کریں", "millets"),             # باجرہ inflected
    ("கரும்பில் இடைக்கணுப் புழு", "sugarcane"),                # கரும்பு + locative
    ("சோளப் பயிரைக் குருவிகளிடமிருந்து காப்பது", "sorghum"),   # சோளம் in compound form
])
def test_inflected_native_words_are_recognised(qu: QueryUnderstanding, question: str, crop: str) -> None:
    assert qu.run(question).crop == crop


def test_disease_name_containing_a_place_wins_over_the_place(qu: QueryUnderstanding) -> None:
    # Karnal is a district in Haryana; "Karnal bunt" is a wheat disease, not a location.
    info = qu.run("karnal bunt in my wheat")
    assert "karnal bunt" in info.focus
    assert info.country is None
    assert qu.run("wheat sowing in karnal").country == "India"


@pytest.mark.parametrize("question, focus", [
    ("মাজরা পোকার আক্রমণ হয়েছে", "stem borer"),              # Bengali case ending on the last word
    ("கரும்பில் நுனிக் குருத்துப் புழுவை எப்படி", "top borer"),  # Tamil ending replaces the vowel
])
def test_inflected_multi_word_names(qu: QueryUnderstanding, question: str, focus: str) -> None:
    assert focus in qu.run(question).focus


def test_bengali_stem_does_not_turn_chilli_into_rust(qu: QueryUnderstanding) -> None:
    # মরিচা (rust) minus its vowel sign is মরিচ (chilli); Bengali endings are added, not swapped.
    assert qu.run("মরিচের গাছে পোকা").focus == []
    assert "black rust" in qu.run("গমের কালো মরিচার দাগ").focus


def test_local_farm_words_reach_the_english_gloss(qu: QueryUnderstanding) -> None:
    # Words that are not crop or pest names (here "spray") still tell the English embedder what is asked.
    info = qu.run("ধানে কখন স্প্রে করব")
    assert "spray" in info.search_query


def test_glossary_parts_are_all_read_and_errors_name_the_file(tmp_path: Path) -> None:
    from agriadvisor.knowledge.glossary import load_glossary

    (tmp_path / "glossary.yaml").write_text("- {canonical: rice, kind: crop, names: {bn: [ধান]}}\n", encoding="utf-8")
    (tmp_path / "glossary-terms.yaml").write_text(
        "- {canonical: birds, kind: term, topic: pests, names: {bn: [পাখি]}}\n", encoding="utf-8")
    info = QueryUnderstanding.from_folder(tmp_path).run("ধানে পাখি")
    assert info.crop == "rice" and "birds" in info.search_query and "pests" in info.topics
    (tmp_path / "glossary-broken.yaml").write_text("- {canonical: x, kind: nonsense}\n", encoding="utf-8")
    _, _, errors = load_glossary(tmp_path)
    assert errors and all("glossary-broken.yaml" in e for e in errors)


@pytest.mark.parametrize("question, country", [
    ("how to store wheat at home in UP without insects", "India"),
    ("rabi paddy in AP after the cyclone", "India"),
    ("leaves curling up in my cotton", None),       # the English word "up"
    ("ap ki gehun ki fasal kaisi hai", None),        # romanized Hindi "ap" (you)
    ("HOW DO I GROW RICE UP NORTH", None),           # a question typed all in capitals
])
def test_state_abbreviations_match_only_in_capitals(qu: QueryUnderstanding, question: str, country: str | None) -> None:
    assert qu.run(question).country == country


@pytest.mark.parametrize("question", [
    "পাম্প চালু করতে কত খরচ?",          # চালু (switched on) is not চাল (rice)
    "தினமும் தண்ணீர் பாய்ச்சலாமா?",      # தினமும் (daily) is not தினை (foxtail millet)
    "கம்பி வேலி போடலாமா?",               # கம்பி (wire) is not கம்பு (pearl millet)
    "کاؤنسل کا دفتر کہاں ہے",
])
def test_short_crop_names_do_not_match_the_start_of_other_words(qu: QueryUnderstanding, question: str) -> None:
    assert qu.run(question).crop is None


@pytest.mark.parametrize("question, crop", [
    ("ধানের চারা হলুদ", "rice"), ("চালের দাম", "rice"), ("বাজরে की बुवाई", None), ("बाजरे की बुवाई", "millets"),
    ("நெல்லுக்கு உரம்", "rice"), ("கம்பில் அடிச்சாம்பல் நோய்", "millets"), ("گندم کی کاشت", "wheat"),
])
def test_case_endings_still_match(qu: QueryUnderstanding, question: str, crop: str | None) -> None:
    assert qu.run(question).crop == crop


@pytest.mark.parametrize("question, crop", [
    ("ඉරිඟු වගාවට පොහොර", "sorghum"), ("බඩ ඉරිඟු වගාවට පොහොර", "maize"), ("جو کی فصل کو پانی", "barley"),
])
def test_every_crop_has_a_name_in_sinhala_and_urdu(qu: QueryUnderstanding, question: str, crop: str) -> None:
    assert qu.run(question).crop == crop


@pytest.mark.parametrize("question, language", [
    ("धानको बाला सेतो भयो", "ne"),        # endings joined to the noun, Nepali verb
    ("खेतमा पानी जम्यो", "ne"),
    ("आपको गेहूं की फसल में क्या डालना चाहिए", "hi"),  # Hindi pronoun in -को
    ("गन्ने की पत्तियां पीली हो रही हैं", "hi"),
])
def test_nepali_and_hindi_told_apart(qu: QueryUnderstanding, question: str, language: str) -> None:
    assert qu.run(question).language == language


def test_bengali_rice_season_names_mean_rice(qu: QueryUnderstanding) -> None:
    assert qu.run("বোরো বীজতলার চারা হলুদ").crop == "rice"


def test_a_term_that_names_its_crop_still_gives_the_crop(qu: QueryUnderstanding) -> None:
    info = qu.run("தமிழ்நாட்டில் சம்பா நெல் பருவம் எப்போது?")  # "Samba rice season in Tamil Nadu: when?"
    assert info.crop == "rice" and "samba season" in info.search_query


def test_sinhala_paddy_harvest_phrase(qu: QueryUnderstanding) -> None:
    info = qu.run("වී කපන්න සුදුසු වෙලාව හඳුනගන්නේ කොහොමද?")  # "how do I know when to harvest paddy?"
    assert info.crop == "rice" and "harvest" in info.topics


@pytest.mark.parametrize("question, crop", [
    ("சோளத்தில் படைப்புழு", "sorghum"),     # சோளம் -> சோளத்தில்
    ("தினத்தில் இரண்டு முறை", None),         # "twice a day": not தினை (millet)
    ("گنے کی فصل کو پانی", "sugarcane"),
    ("சோயாபீன் விதைப்பு", "soybean"),
])
def test_more_inflected_crop_names(qu: QueryUnderstanding, question: str, crop: str | None) -> None:
    assert qu.run(question).crop == crop


@pytest.mark.parametrize("name, text, found", [
    ("yellow rust", "Yellow (stripe) rust forms powdery stripes", True),
    ("yellow rust", "Diseases: yellow rusts and smuts", True),
    ("rust", "Diseases: rusts, smuts and blights", True),
    ("rust", "trust the extension office", False),
    ("stem borer", "stem borers bore into the tiller", True),
    ("stem borer", "the stem of the borer", False),
])
def test_name_pattern_matches_names_as_guides_write_them(name: str, text: str, found: bool) -> None:
    from agriadvisor.text import name_pattern

    assert bool(name_pattern(name).search(text)) is found


def test_a_heading_naming_the_kind_of_disease_beats_a_passing_mention(small_advisor) -> None:
    # India's wheat guide: "Diseases: rusts, smuts and blights" is about yellow rust; "Crop
    # establishment" only says to look for yellow rust stripes from January.
    retriever = small_advisor.retriever
    chunks = small_advisor.index.chunks
    by_section = {c.section: i for i, c in enumerate(chunks) if c.doc_id.endswith("wheat") and c.country == "India"}
    diseases = next(i for s, i in by_section.items() if s.startswith("Diseases"))
    establishment = next(i for s, i in by_section.items() if s.startswith("Crop establishment"))
    assert retriever._mentions(diseases, ["yellow rust"]) > retriever._mentions(establishment, ["yellow rust"]) > 0
    answer = small_advisor.ask("पीला रतुआ का इलाज क्या है?", country="India", crop="wheat")
    assert "Diseases: rusts" in answer.citations[0].title


@pytest.mark.parametrize("question, crop", [
    ("धानको आलीमा भटमास लगाउन मिल्छ? कहिले र कति दूरीमा लगाउने?", "soybean"),  # soybean on rice bunds
    ("Can I grow soybean on the bunds of my rice field?", "soybean"),
    ("what maize variety to sow after rice harvest in Bihar?", "maize"),
    ("dhan ke baad gehun kab boye", "wheat"),
    ("ধান কাটার পর ভুট্টা কখন লাগাবো?", "maize"),
    ("நெல் அறுவடைக்குப் பிறகு சோளம் விதைக்கலாமா?", "sorghum"),
    ("rice and wheat: which needs more water?", "rice"),  # both asked about: the first named
    ("wheat price and rice price this year", "wheat"),  # "price" is not "rice"
])
def test_a_crop_that_only_sets_the_scene_is_not_the_crop_asked_about(qu: QueryUnderstanding, question: str,
                                                                       crop: str) -> None:
    info = qu.run(question)
    assert info.crop == crop
    if len(info.crops_mentioned) > 1:  # the understood fields say what happened
        assert any("several crops named" in n and f"answering for {crop}" in n for n in info.notes)


def test_the_harvest_of_the_previous_crop_is_not_the_stage_asked_about(qu: QueryUnderstanding) -> None:
    assert qu.run("what maize variety to sow after rice harvest in Bihar?").stage in ("pre_sowing", "sowing")
    assert qu.run("ধান কাটার পর ভুট্টা কখন লাগাবো?").stage == "sowing"
    assert qu.run("when to harvest rice in Bihar?").stage == "maturity"


@pytest.mark.parametrize("question, crop", [
    ("boro dhane khaira rog hole ki korbo", "rice"),  # romanized Bengali dhan + -e "in"
    ("gomer khete pani kokhon dite hobe", "wheat"),  # gom + -er "of"
    ("makaiko biu kati kg chahincha", "maize"),  # romanized Nepali makai + -ko
    ("the paper and water in the corner", None),  # English words are never cut
    ("veer left at the canal", None),  # vee (Sinhala rice) + r is an English word
])
def test_romanized_crop_names_with_case_endings(qu: QueryUnderstanding, question: str, crop: str | None) -> None:
    assert qu.run(question).crop == crop


def test_harvest_and_store_is_a_storage_question(qu: QueryUnderstanding) -> None:
    assert qu.run("மொனராகலையில் மக்காச்சோளம் அறுவடை செஞ்சு சேமிக்கணும். எவ்வளவு காய வைக்கணும்?").stage == "post_harvest"
    assert qu.run("how to harvest and store maize cobs").stage == "post_harvest"
    assert qu.run("when should I harvest maize in Nepal?").stage == "maturity"


def test_a_crop_after_the_harvest_of_another(qu: QueryUnderstanding) -> None:
    info = qu.run("want to sow wheat right after combine harvesting paddy, without ploughing. what should i take care of?")
    assert info.crop == "wheat" and info.stage in ("pre_sowing", "sowing")


def test_seed_rate_stays_a_sowing_question(qu: QueryUnderstanding) -> None:
    assert qu.run("wheat seed rate per acre").stage == "sowing"


@pytest.mark.parametrize("question, crop, stage", [
    ("मुस्ताङमा गत वर्ष उवाको बाला कालो धुलो भयो। यो वर्ष बीउ छर्नु अघि के गर्ने?", "barley", "pre_sowing"),  # uwa
    ("गेहूं की बुवाई से पहले बीज उपचार कैसे करें", "wheat", "pre_sowing"),
    ("සෝයා බෝංචි සිටුවන්න කලින් බීජවලට මොනවද කරන්න ඕනේ?", "soybean", "pre_sowing"),
    ("cotton picking finished late in rahim yar khan, sowing wheat in december now. how much seed per acre?",
     "wheat", "sowing"),
])
def test_crop_and_before_sowing_in_several_languages(qu: QueryUnderstanding, question: str, crop: str,
                                                     stage: str) -> None:
    info = qu.run(question)
    assert (info.crop, info.stage) == (crop, stage)


def test_terms_that_imply_their_crop(qu: QueryUnderstanding) -> None:
    assert qu.run("in my ratoon some stools give pure white leaves").crop == "sugarcane"
    info = qu.run("අම්පාරේ කුඹුරේ වල් වී ගොඩක්, කොහොමද අඩු කරගන්නේ?")  # weedy rice
    assert info.crop == "rice" and "weeds" in info.topics


def test_nepali_lodging_word(qu: QueryUnderstanding) -> None:
    assert "lodging->lodging" not in qu.run("sarlahi ma ukhu lamo bhayo, hawa huri le dhalcha").terms
    assert any(t.endswith("->lodging") for t in qu.run("sarlahi ma ukhu lamo bhayo, hawa huri le dhalcha").terms)


def test_asking_when_to_sow_is_still_sowing(qu: QueryUnderstanding) -> None:
    assert qu.run("गेहूं कब बोएं").stage == "sowing"
    assert qu.run("dhan ki ropai kab karein").stage == "sowing"


@pytest.mark.parametrize("question, crop, stage", [
    ("باسمتی کی پنیری کتنے دن کی ہو تو کھیت میں لگائیں؟", "rice", "sowing"),  # basmati in Urdu script
    ("බඩඉරිඟු ගොබය ඇතුලේ දළඹුවෝ ඉන්නවා", "maize", None),  # maize written as one word
    ("haor e boro dhan 80 percent peke geche, ekhoni kete felbo?", "rice", "maturity"),
    ("அறுவடை செஞ்ச நெல்லை எவ்வளவு காய வெச்சு விக்கணும்?", "rice", "post_harvest"),
    ("barley ears breaking and falling in wind, crop gone yellow. cut now or wait few days?", "barley", "maturity"),
    ("last picking done in multan, can i keep the cotton sticks on the roof?", "cotton", "post_harvest"),
    ("আখ কোন মাসে লাগালে ফলন বেশি হয়?", "sugarcane", "sowing"),
])
def test_fresh_farmer_questions(qu: QueryUnderstanding, question: str, crop: str, stage: str | None) -> None:
    info = qu.run(question)
    assert info.crop == crop
    if stage:
        assert info.stage == stage


@pytest.mark.parametrize("question, focus", [
    ("cotton flowers not opening, rosette flowers, small holes in green bolls", "pink bollworm"),
    ("makka ke gobhe me sundi, keede ke sir pe ulta Y bana hai", "fall armyworm"),
    ("moneragala ratoon: some stools give pure white leaves", "white leaf disease"),
    ("rice leaves yellow from the tips with wavy margins after the storm", "bacterial leaf blight"),
])
def test_symptoms_farmers_describe_name_the_pest_or_disease(qu: QueryUnderstanding, question: str, focus: str) -> None:
    assert focus in qu.run(question).focus


def test_joiners_do_not_change_words() -> None:
    from agriadvisor.text import tokenize

    # Sinhala "variety" typed with and without the zero-width joiner of its conjunct
    assert tokenize("ප්\u200dරභේද") == tokenize("ප්රභේද") == ["ප්රභේද"]


@pytest.mark.parametrize("question", ["සෝයා බෝංචි ප්\u200dරභේද මොනවද?", "සෝයා බෝංචි ප්රභේද මොනවද?"])
def test_sinhala_variety_with_or_without_joiner(qu: QueryUnderstanding, question: str) -> None:
    info = qu.run(question)
    assert (info.crop, info.stage) == ("soybean", "pre_sowing") and "seed" in info.topics


def test_hopper_burn_circles_name_the_planthopper(qu: QueryUnderstanding) -> None:
    assert "brown planthopper" in qu.run("करनाल में धान के खेत में जगह-जगह गोल घेरे में पौधे सूखकर गिर रहे हैं").focus


def test_decide_stage_rules() -> None:
    from collections import Counter

    from agriadvisor.understanding.stage import decide_stage

    assert decide_stage(Counter(), []) is None
    assert decide_stage(Counter(), ["storage"]) == "post_harvest"
    assert decide_stage(Counter(maturity=3, post_harvest=1), []) == "post_harvest"
    assert decide_stage(Counter(reproductive=2, maturity=1), []) == "maturity"
    assert decide_stage(Counter(maturity=3), [], scene=True) == "sowing"
    assert decide_stage(Counter(sowing=3, pre_sowing=4), []) == "pre_sowing"


# One table for the stage a question's words point to, in six languages.
STAGE_QUESTIONS = [
    # sowing and harvest verbs
    ("লক্ষ্মীপুরে সয়াবিন কখন বুনতে হয়?", "sowing"), ("আখ লাগানোর সবচেয়ে ভালো সময় কখন?", "sowing"),
    ("सोयाबीन कब बोएं?", "sowing"), ("গম কখন কাটব?", "maturity"), ("how do i know my sorghum is ready to cut", "maturity"),
    # "which variety" is asked before sowing, whatever the verb
    ("nepal ko pahad ma lagaune makai ko ramro jaat kun ho", "pre_sowing"),
    ("யாழ்ப்பாணத்தில் சிறுபோகத்தில் எந்த நெல் இனத்தை விதைக்கலாம்?", "pre_sowing"),
    ("gehun ki kaunsi kism bona chahiye", "pre_sowing"),
    ("which wheat variety to sow in late november", "pre_sowing"),
    # words farmers use ("kisme" is "in what", not "varieties")
    ("gehu ko 6 mahine godam me rakhna hai, kitna sukhana chahiye aur kisme rakhe?", "post_harvest"),
    ("dhading bhatmas pods are browning, some already splitting. when exactly should i cut?", "maturity"),
    # a crop already sown is a growing crop
    ("हिसार में गेहूं बोए 15 दिन हो गए, पहला पानी कब लगाएं?", "vegetative"),
    ("ludhiana me dhan ki ropai kar di, kharpatwar ki dawa kab daale?", "vegetative"),
    ("حافظ آباد میں دھان کی لوائی کے بعد پتوں پر بھورے دھبے ہیں", "vegetative"),
    ("I sowed wheat 20 days ago, when is the first irrigation?", "vegetative"),
    ("حافظ آباد میں دھان کی لوائی کے دو ہفتے بعد پرانے پتوں پر بھورے دھبے ہیں", "vegetative"),
    ("रोपाई के 20 दिन बाद कौन सी खाद डालें", "vegetative"),
    ("சோளம் இளம் பயிர்ல நடுக்குருத்து காஞ்சு போகுது, கொஞ்சம் தாமதமா விதைச்சேன்", "vegetative"),
    # spacing, setts and broadcasting
    ("sheikhupura me basmati ki lawai karwani hai, aik acre me kitne boote aur faasla kitna?", "sowing"),
    ("kolhapur - planting new ganna next month. how long to dip the setts and how old shud the seed cane be",
     "pre_sowing"),
    ("පොළොන්නරුවේ කුඹුරට පැළ වී ඉසින්න අක්කරයකට වී බුසල් කීයක් ඕනද?", "sowing"),
]


@pytest.mark.parametrize("question, stage", STAGE_QUESTIONS)
def test_stage_words_in_six_languages(qu: QueryUnderstanding, question: str, stage: str) -> None:
    assert qu.run(question).stage == stage
