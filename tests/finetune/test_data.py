"""Reading and checking training rows: every row is used or dropped with a reason, column
mapping for the Kisan Call Centre layout, the held-out split, and the recipe's config."""

from __future__ import annotations

from pathlib import Path

import pytest

from agriadvisor.errors import ConfigError, TrainingDataError
from agriadvisor.finetune.config import AKSARA_RECIPE, CONFIG_FILE, FinetuneConfig, load_config, save_config
from agriadvisor.finetune.data import ColumnMap, read_pairs, split_held_out

from .conftest import write_csv, write_jsonl

KCC = Path("/work/shared/eval/kcc/kcc_telangana_2025-01.csv")


def test_every_row_is_used_or_dropped_with_its_reason(tmp_path: Path) -> None:
    rows = [
        ("When should I sow wheat?", "In November."),            # 1 used
        ("   ", "An answer without a question."),                # 2 empty
        ("How much seed?", "  "),                                # 3 empty answer
        ("when should i  sow wheat?", "in November."),           # 4 duplicate of 1 (case, spaces)
        ("Sowing at the café?", "café".encode().decode("cp1252") + " at noon."),  # 5 answer read as cp1252
        ("Bad\x00byte", "x"),                                    # 6 control character
        ("गेहूं की बुवाई कब करें?", "नवंबर के पहले पखवाड़े में।"),  # 7 used: Hindi is fine
        ("Sow cotton when?", "After the first rains."),           # 8 used
        ("गेहूं?".encode().decode("latin-1"), "Nov."),            # 9 UTF-8 read as Latin-1
    ]
    path = write_csv(tmp_path / "qa.csv", ["question", "answer"], rows)
    with path.open("ab") as fh:
        fh.write(b"Late sowing \xff\xfe loss?,Yes\n")              # 10 not UTF-8 at all
    pairs, report = read_pairs(path)
    assert [p.row for p in pairs] == [1, 7, 8]
    assert report.dropped == {"empty": [2], "empty_answer": [3], "duplicate": [4], "wrong_encoding": [5, 6, 9, 10]}
    assert report.total == 10 and report.used == 3
    text = report.render()
    assert "dropped 4 wrong encoding (rows 5, 6, 9, 10)" in text and "dropped 1 duplicate (rows 4)" in text


def test_jsonl_malformed_lines_are_reported_not_skipped(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "qa.jsonl", [{"question": "When to sow wheat?", "answer": "November", "crop": "Wheat",
                                                "country": "nepal", "language": "en", "context": "Sow in November."},
                                               "{not json", '["a list"]', {"question": "Seed rate?", "answer": "100 kg"}])
    pairs, report = read_pairs(path)
    assert report.dropped == {"malformed": [2, 3]} and report.total == 4
    first = pairs[0]
    assert (first.crop, first.country, first.language, first.context) == ("wheat", "Nepal", "en", "Sow in November.")


def test_call_centre_layout_reads_directly_and_by_column_flags(tmp_path: Path) -> None:
    rows = [("TELANGANA", "Paddy (Dhan)", "Stem borer in paddy", "Install pheromone traps."),
            ("TELANGANA", "Chillies", "Thrips in chilli", "Spray neem oil."),
            ("TELANGANA", "Maize (Makka)", "Sowing time of maize", "")]
    header = ["StateName", "Crop", "QueryText", "KccAns"]
    pairs, report = read_pairs(write_csv(tmp_path / "kcc.csv", header, rows), country="India")
    assert [(p.question, p.crop, p.country) for p in pairs] == [("Stem borer in paddy", "rice", "India"),
                                                                 ("Thrips in chilli", None, "India")]
    assert report.dropped == {"empty_answer": [3]} and report.notes == {"a crop outside the nine (no crop filter)": 1}
    renamed = write_csv(tmp_path / "renamed.csv", ["state", "kind", "asked", "told"], rows)
    with pytest.raises(TrainingDataError, match="no question column .*columns: state, kind, asked, told"):
        read_pairs(renamed)
    pairs, _ = read_pairs(renamed, ColumnMap(question="asked", answer="told", crop="kind"))
    assert pairs[0].crop == "rice" and pairs[0].answer == "Install pheromone traps."


@pytest.mark.skipif(not KCC.is_file(), reason="the shared KCC export is not on this machine")
def test_the_shared_kcc_export_reads_with_nothing_unaccounted() -> None:
    pairs, report = read_pairs(KCC, country="India")
    assert report.total == 2919 and len(pairs) == report.used == report.total - sum(report.dropped_counts().values())
    assert report.dropped_counts().get("duplicate", 0) > 0
    assert any(p.crop == "rice" for p in pairs) and all(p.country == "India" for p in pairs)


def test_bad_files_say_what_is_wrong(tmp_path: Path) -> None:
    with pytest.raises(TrainingDataError, match="no such training data file"):
        read_pairs(tmp_path / "missing.csv")
    (tmp_path / "qa.txt").write_text("q,a\n")
    with pytest.raises(TrainingDataError, match="must be .csv or .jsonl"):
        read_pairs(tmp_path / "qa.txt")
    only_empty = write_csv(tmp_path / "empty.csv", ["question", "answer"], [("Q?", "")])
    with pytest.raises(TrainingDataError, match="(?s)no usable rows.*dropped 1 empty answer"):
        read_pairs(only_empty)
    with pytest.raises(TrainingDataError, match="unknown country 'Atlantis'"):
        read_pairs(only_empty, country="Atlantis")


def test_held_out_split_is_reproducible_and_never_empties_training() -> None:
    from agriadvisor.finetune.data import QAPair

    pairs = [QAPair(row=i, question=f"q{i}", answer="a") for i in range(1, 21)]
    train, held = split_held_out(pairs, 0.1, seed=7)
    assert len(held) == 2 and len(train) == 18 and not {p.row for p in train} & {p.row for p in held}
    assert split_held_out(pairs, 0.1, seed=7) == (train, held)
    assert split_held_out(pairs[:1], 0.5) == (pairs[:1], [])


def test_defaults_are_aksaras_recipe_and_flags_beat_yaml(tmp_path: Path) -> None:
    cfg = FinetuneConfig(base="b", output=tmp_path)
    recipe = {k: getattr(cfg, k) for k in AKSARA_RECIPE}
    assert recipe == {"learning_rate": 2e-4, "train_batch_size": 4, "eval_batch_size": 4, "optim": "paged_adamw_32bit",
                      "lr_scheduler": "cosine", "epochs": 1.0, "lora_r": 32, "weight_decay": 0.001, "load_in": "nf4",
                      "double_quant": True, "compute_dtype": "bfloat16"}
    yaml_file = tmp_path / "run.yaml"
    yaml_file.write_text("base: some/base\noutput: out\nlora_r: 16\nlearning_rate: 1.0e-4\n")
    cfg = load_config(yaml_file, learning_rate=3e-4, epochs=None)
    assert (cfg.base, cfg.lora_r, cfg.learning_rate, cfg.epochs) == ("some/base", 16, 3e-4, 1.0)
    cfg.output = tmp_path
    assert load_config(save_config(cfg, tmp_path)) == cfg and (tmp_path / CONFIG_FILE).is_file()


def test_bad_settings_name_the_field(tmp_path: Path) -> None:
    yaml_file = tmp_path / "run.yaml"
    yaml_file.write_text("base: b\noutput: o\nlora_rank: 8\n")
    with pytest.raises(ConfigError, match="lora_rank"):
        load_config(yaml_file)
    with pytest.raises(ConfigError, match="max_answer_tokens \\(512\\) must be less than max_seq_length \\(256\\)"):
        load_config(base="b", output="o", max_seq_length=256, max_answer_tokens=512)


def test_answers_recommending_restricted_pesticides_are_dropped_by_the_output_rails_policy() -> None:
    from agriadvisor.finetune.data import DataReport, QAPair
    from agriadvisor.finetune.screening import PesticideScreen

    pairs = [QAPair(row=1, question="Stem borer?", answer="Apply carbofuran 3G granules in the whorls.", country="India"),
             QAPair(row=2, question="Bollworm?", answer="Do not use endosulfan; it is banned. Use pheromone traps.",
                    country="India"),
             QAPair(row=3, question="Aphids?", answer="SPRAY NEEM OIL 5 ML PER LITRE.", country="India"),
             QAPair(row=4, question="Bollworm?", answer="Spray endosulfan on cotton.")]  # no country: banned somewhere
    report = DataReport(path="qa.csv", total=4)
    kept = PesticideScreen.from_folder().screen(pairs, report)
    assert [p.row for p in kept] == [2, 3]
    assert report.dropped == {"restricted_pesticide": [1, 4]}
    assert "dropped 2 restricted pesticide (rows 1, 4)\n    1 naming carbofuran\n    1 naming endosulfan" in report.render()
