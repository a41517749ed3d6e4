"""How the embedded default chooses evidence sentences: cues, word weights, windows, list items."""

from __future__ import annotations

import numpy as np
import pytest

from agriadvisor.answering.cues import question_asks, sentence_answers
from agriadvisor.answering.extractive import compose, pick_sentences
from agriadvisor.backends.base import Evidence
from agriadvisor.knowledge.schema import Chunk


def _evidence(n: int, sentences: list[str], sims: list[float]) -> tuple[Evidence, np.ndarray]:
    """Evidence whose sentence vectors have exactly the given cosine to the query vector e0."""
    dim = 16  # the same space for every passage of a test
    vecs = np.zeros((len(sentences), dim), dtype=np.float32)
    for i, s in enumerate(sims):
        vecs[i, 0] = s
        vecs[i, i + 1 + 7 * (n - 1)] = float(np.sqrt(max(0.0, 1 - s * s)))
    chunk = Chunk(chunk_id=f"c{n}", doc_id=f"d{n}", title="Wheat in Nepal", section="Sowing", country="Nepal",
                  crop="wheat", stage="sowing", topics=(), practice=(), sources=("NARC",), text=" ".join(sentences))
    query = np.zeros(dim, dtype=np.float32)
    query[0] = 1.0
    return Evidence(n=n, chunk=chunk, similarity=0.8, sentences=sentences, sentence_vectors=vecs), query


@pytest.mark.parametrize("question, kinds", [
    ("When should I sow wheat in the Terai?", {"when"}),
    ("How much urea per hectare for maize?", {"amount"}),
    ("which variety survives submergence", {"variety"}),
    ("what should I spray for blast", {"control"}),
    ("rice when time how much dose rate in Sri Lanka", {"when", "amount"}),  # an English gloss
    ("Tell me about sorghum", set()),
])
def test_question_asks(question: str, kinds: set[str]) -> None:
    assert question_asks(question) == kinds


def test_sentence_answers() -> None:
    assert "when" in sentence_answers("Sow from mid-November to early December.")
    assert "amount" in sentence_answers("**Zinc sulphate** 10-15 kg.")
    assert "advice" in sentence_answers("Apply the remaining urea at 25 days.")
    assert sentence_answers("Wheat is the second cereal of Nepal.") == frozenset()


def test_the_sentence_that_gives_the_asked_date_beats_a_general_opening() -> None:
    sents = ["Wheat is the main winter cereal of the Terai and the hills, grown after rice.",
             "Farmers grow it on about 700,000 hectares across the country.",
             "The crop is harvested in spring.",
             "Sow from mid-November to early December in the Terai."]
    ev, q = _evidence(1, sents, [0.7, 0.5, 0.45, 0.45])
    positions = [p.position for p in pick_sentences(q, "When should I sow wheat?", [ev], limit=1)]
    assert 3 in positions and 0 not in positions
    # without the cue (no date asked) the opening line, closest to the question, is kept
    assert 0 in [p.position for p in pick_sentences(q, "Tell me about wheat", [ev], limit=1)]


def test_rare_shared_words_count_more_than_common_ones() -> None:
    sents = ["Wheat in Nepal needs care in Nepal's wheat belt.",
             "Empty florets in wheat point to boron shortage; apply borax at sowing.",
             "Wheat in Nepal is sown in Kartik."]
    ev, q = _evidence(1, sents, [0.5, 0.5, 0.5])
    picked = pick_sentences(q, "wheat Nepal empty florets", [ev], limit=1)
    assert [p.position for p in picked] == [1]


def test_list_items_cost_half_and_a_lead_line_is_never_left_hanging() -> None:
    sents = ["Per hectare the guide doses are:", "**Urea** 500 kg.", "**TSP** 250 kg.", "**MoP** 200 kg.",
             "**Zinc sulphate** 10 kg.", "Weeds compete most in the first month and cost a lot of yield."]
    ev, q = _evidence(1, sents, [0.6, 0.5, 0.5, 0.5, 0.5, 0.1])
    picked = pick_sentences(q, "how much fertiliser", [ev], limit=3)
    assert [p.position for p in picked] == [0, 1, 2, 3, 4]  # five short lines fit a budget of three
    ev, q = _evidence(1, ["Sowing time of wheat in Nepal depends on the belt where the farm lies, as follows:",
                          "Terai and inner Terai: from late Kartik to Mangsir, about mid-November to early December.",
                          "Sowing after mid-December lowers yield sharply because grain filling meets the heat."],
                      [0.9, 0.0, 0.8])
    picked = pick_sentences(q, "sowing", [ev], limit=2)
    assert 0 not in [p.position for p in picked]  # its list item was not chosen, so neither is the lead


def test_one_sentence_from_the_next_passage_and_markers_per_run() -> None:
    a, q = _evidence(1, ["Sow wheat in mid-November in the Terai plains.", "Use 120 kg seed per hectare in lines.",
                         "Irrigate at crown root initiation."], [0.9, 0.8, 0.7])
    b, _ = _evidence(2, ["In the hills sow in late October before the soil dries.", "Terraces need bunds."], [0.85, 0.1])
    picked = pick_sentences(q, "when to sow wheat", [a, b], limit=4)
    assert {p.n for p in picked} == {1, 2}
    assert sum(p.n == 2 for p in picked) == 1
    text = compose(picked)
    assert text.count("[1]") == 1 and text.endswith("[2]")


def test_the_farming_belt_of_a_named_place_picks_its_line() -> None:
    from agriadvisor.backends.base import GenerationRequest
    from agriadvisor.backends.extractive import ExtractiveBackend
    from agriadvisor.models import QueryInfo

    sents = ["Mid-hills and river valleys: sow wheat from Kartik to Mangsir, late October to November.",
             "Terai and inner Terai: sow wheat from late Kartik to Mangsir, mid-November to early December.",
             "High hills: sow wheat from Asoj to early Kartik, so the crop establishes before frost."]
    ev, q = _evidence(1, sents, [0.5, 0.5, 0.5])
    info = QueryInfo(text="When to sow wheat in Chitwan?", search_query="When to sow wheat in Chitwan?", region="Terai")
    text = ExtractiveBackend().complete(GenerationRequest(question=info.text, query=info, evidence=[ev],
                                                          query_vector=q, max_sentences=1))
    assert text.startswith("Terai")


@pytest.mark.parametrize("question, region", [
    ("When should I sow wheat in Chitwan?", "Terai"), ("paddy in Anuradhapura this maha", "dry zone"),
    ("maize in Jumla", "high hills"), ("wheat in Punjab", None),
])
def test_region_of_a_named_place(question: str, region: str | None) -> None:
    from pathlib import Path

    from agriadvisor.understanding import QueryUnderstanding

    qu = QueryUnderstanding.from_folder(Path(__file__).resolve().parents[2] / "knowledge")
    assert qu.run(question).region == region
