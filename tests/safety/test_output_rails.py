"""Output rails: grounding, banned products, doses, harmful instructions and the safety note."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pytest

from agriadvisor.backends.base import Evidence
from agriadvisor.knowledge.schema import Chunk
from agriadvisor.models import QueryInfo
from agriadvisor.safety.engine import GuardrailEngine

SOW = "Sow wheat from mid-November to early December."
SPRAY = "Spray paraquat at 5 ml per litre between the rows."
WARN = "Never use paraquat, which is banned in Sri Lanka."
ZINC = "Spray 0.5 percent zinc sulphate (5 g per litre) when symptoms appear."


def _unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def _evidence(n: int, sentences: list[str], vectors: list[np.ndarray] | None) -> Evidence:
    chunk = Chunk(chunk_id=f"c{n}", doc_id=f"d{n}", title="Wheat", section="Sowing", country="Nepal", crop="wheat",
                  stage="sowing", topics=(), practice=(), sources=("test",), text=" ".join(sentences))
    return Evidence(n=n, chunk=chunk, similarity=0.8, sentences=sentences,
                    sentence_vectors=np.stack(vectors) if vectors else None)


class FakeEmbed:
    """Deterministic vectors for the sentences a test names; fails loudly on any other."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table
        self.calls: list[list[str]] = []

    def __call__(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls.append(list(sentences))
        return np.stack([self.table[s] for s in sentences])


def _never(sentences: Sequence[str]) -> np.ndarray:
    raise AssertionError(f"verbatim sentences must not be embedded: {sentences}")


@pytest.fixture
def evidence() -> list[Evidence]:
    return [_evidence(1, [SOW, ZINC], [_unit(1, 0, 0), _unit(0, 1, 0)]),
            _evidence(2, [SPRAY, WARN], [_unit(0, 0, 1), _unit(0, 0.5, 1)])]


def test_verbatim_answer_is_kept_without_embedding(engine: GuardrailEngine, evidence) -> None:
    review = engine.check_output(f"{SOW} [1]", evidence, QueryInfo(text="when to sow wheat", country="Nepal"), _never)
    assert review.text == f"{SOW} [1]"
    assert review.grounded and review.hits == []


def test_unsupported_sentence_is_dropped_and_recorded(engine: GuardrailEngine, evidence) -> None:
    made_up = "Wheat yields double if sown on a full moon."
    paraphrase = "Wheat should be sown between mid-November and early December."
    embed = FakeEmbed({made_up: _unit(0.1, 0.1, 0.99), paraphrase: _unit(0.95, 0.3, 0)})
    review = engine.check_output(f"{paraphrase} [1] {made_up} [1]", evidence, QueryInfo(text="sowing wheat"), embed)
    assert review.text == f"{paraphrase} [1]"
    assert not review.grounded
    assert [(h.rule_id, h.action) for h in review.hits] == [("output.unsupported_sentence", "drop_sentence")]
    assert embed.calls == [[paraphrase, made_up]]  # one batch, markers stripped


def test_sentence_is_checked_against_the_evidence_it_cites(engine: GuardrailEngine, evidence) -> None:
    claim = "Sowing wheat in late November works well."
    embed = FakeEmbed({claim: _unit(1, 0, 0)})
    assert engine.check_output(f"{claim} [1]", evidence, QueryInfo(text="q"), embed).grounded
    assert not engine.check_output(f"{claim} [2]", evidence, QueryInfo(text="q"), embed).grounded


def test_banned_product_is_dropped_but_the_warning_is_kept(engine: GuardrailEngine, evidence) -> None:
    query = QueryInfo(text="weed control in wheat", country="Sri Lanka")
    review = engine.check_output(f"{SPRAY} [2] {WARN} [2]", evidence, query, _never)
    assert SPRAY not in review.text and WARN in review.text
    assert review.hits[0].rule_id == "output.banned_product.paraquat"
    assert not review.grounded


def test_same_product_is_kept_where_it_is_not_refused(engine: GuardrailEngine, evidence) -> None:
    review = engine.check_output(f"{SPRAY} [2]", evidence, QueryInfo(text="weeds", country="India"), _never)
    assert SPRAY in review.text


def test_dose_not_in_the_evidence_is_dropped(engine: GuardrailEngine, evidence) -> None:
    wrong = "Spray zinc sulphate at 10 g per litre when symptoms appear."
    right = "Use zinc sulphate at 5 g per litre."
    embed = FakeEmbed({wrong: _unit(0, 1, 0), right: _unit(0, 1, 0)})
    review = engine.check_output(f"{wrong} [1] {right} [1]", evidence, QueryInfo(text="zinc"), embed)
    assert wrong not in review.text and right in review.text
    assert review.hits[0].rule_id == "output.dose_not_in_evidence" and "10 g" in review.hits[0].detail


def test_instruction_the_input_rails_would_refuse_is_dropped(engine: GuardrailEngine, evidence) -> None:
    bad = "You can poison your neighbour with it."
    review = engine.check_output(f"{SOW} [1] {bad} [1]", evidence, QueryInfo(text="q"), FakeEmbed({bad: _unit(1, 0, 0)}))
    assert bad not in review.text and any(h.rule_id.startswith("output.harm.") for h in review.hits)


def test_pesticide_answer_gets_a_safety_note(engine: GuardrailEngine, evidence) -> None:
    review = engine.check_output(f"{ZINC} [1] {SPRAY} [2]", evidence, QueryInfo(text="weeds", country="India"), _never)
    assert review.text.endswith("out of children's reach.")
    assert review.hits[-1].action == "add_note" and review.grounded


def test_safety_note_follows_the_question_language(engine: GuardrailEngine, evidence) -> None:
    review = engine.check_output(f"{SPRAY} [2]", evidence, QueryInfo(text="खरपतवार", language="hi", country="India"),
                                 _never)
    assert "सावधानी" in review.text


def test_no_note_on_an_answer_without_pesticides(engine: GuardrailEngine, evidence) -> None:
    review = engine.check_output(f"{SOW} [1]", evidence, QueryInfo(text="sowing date"), _never)
    assert "Safety" not in review.text


def test_everything_dropped_leaves_no_text(engine: GuardrailEngine, evidence) -> None:
    made_up = "Plant on a full moon."
    review = engine.check_output(made_up, evidence, QueryInfo(text="q"), FakeEmbed({made_up: _unit(-1, 0, 0)}))
    assert review.text == "" and not review.grounded


@pytest.mark.slow
def test_threshold_separates_paraphrase_from_made_up_with_the_real_embedder(engine: GuardrailEngine) -> None:
    from agriadvisor.index.embedder import Embedder

    embedder = Embedder(None, device="cpu")
    sentences = [SOW, "Use a late-sowing variety if you must sow after mid-December."]
    ev = [_evidence(1, sentences, list(embedder.encode(sentences)))]
    paraphrase = "The best time to sow wheat is from the middle of November to the start of December."
    made_up = "Cotton needs no potash on sandy soils."
    review = engine.check_output(f"{paraphrase} [1] {made_up} [1]", ev, QueryInfo(text="when to sow wheat"),
                                 embedder.encode)
    assert paraphrase in review.text and made_up not in review.text


def test_list_item_joined_to_its_lead_line_counts_as_verbatim(engine: GuardrailEngine) -> None:
    # The index keeps "three irrigations give a good crop:" and the list item apart; joined in an
    # answer they read as one sentence that is no longer a substring of the passage.
    lead, item = "For most soils, three irrigations give a good crop:", "**Crown root initiation**, about 20 days after sowing."
    ev = [_evidence(1, [lead, "Irrigate lightly.", item], [_unit(1, 0, 0), _unit(0, 1, 0), _unit(0, 0, 1)])]
    review = engine.check_output(f"{lead} {item} [1]", ev, QueryInfo(text="irrigation of wheat"), _never)
    assert review.grounded and review.text == f"{lead} {item} [1]"
    invented = FakeEmbed({f"{lead} Irrigate twice a day.": _unit(0.2, 0.2, 0.2)})
    review = engine.check_output(f"{lead} Irrigate twice a day. [1]", ev, QueryInfo(text="irrigation"), invented)
    assert invented.calls  # a made-up continuation still goes through the similarity check
