"""Stop strings in streamed text: held back while undecided, cut at the first match."""

from __future__ import annotations

from agriadvisor.backends.stopping import IncrementalDecoder, StopMatcher, cut_at_stop


def stream(texts: list[str], stops: list[str]) -> tuple[list[str], bool]:
    matcher, pieces, stopped = StopMatcher(stops), [], False
    for text in texts:
        piece, stopped = matcher.feed(text)
        pieces.append(piece)
        if stopped:
            break
    if not stopped:
        pieces.append(matcher.finish(texts[-1]))
    return [p for p in pieces if p], stopped


def test_a_stop_split_across_pieces_is_cut() -> None:
    pieces, stopped = stream(["Sow now. ##", "Sow now. ### Instr", "Sow now. ### Instruction: more"],
                             ["### Instruction:"])
    assert stopped and "".join(pieces) == "Sow now. "


def test_held_text_that_turns_out_not_to_be_a_stop_is_released() -> None:
    pieces, stopped = stream(["Use 2 #", "Use 2 # of", "Use 2 # of seed"], ["###"])
    assert not stopped and "".join(pieces) == "Use 2 # of seed"
    assert pieces[0] == "Use 2 "


def test_the_earliest_stop_wins_and_a_stop_at_the_start_gives_nothing() -> None:
    assert cut_at_stop("a [INST] b </s>", ["</s>", "[INST]"]) == "a "
    assert stream(["[INST] hi"], ["[INST]"]) == ([], True)
    assert cut_at_stop("no stops here", []) == "no stops here"


def test_incremental_decoding_never_splits_a_character(tiny_model_dir) -> None:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir("aira"))
    text = "गेहूं की बुवाई नवंबर में करें।"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    assert len(ids) > len(text)  # byte-level: characters span several tokens
    decoder, pieces = IncrementalDecoder(tok, []), []
    for i in ids:
        piece, _ = decoder.push([i])
        pieces.append(piece)
    pieces.append(decoder.finish())
    assert "".join(pieces) == text
    assert not any("\ufffd" in p for p in pieces)
