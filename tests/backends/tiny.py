"""Tiny, randomly initialised models of each profile's architecture, with a small tokenizer that
has the profile's special tokens, saved as a user's real weights would be (config.json,
tokenizer.json, model.safetensors) so they load through the very same code path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agriadvisor.backends.profiles import Profile

CORPUS = [
    "Sow wheat in the first two weeks of November after the rice harvest.",
    "Use 100 kg of seed per hectare and treat the seed before sowing.",
    "Apply half of the nitrogen at sowing and the rest at the first irrigation.",
    "Transplant rice seedlings 21 to 25 days old at 20 by 15 cm spacing.",
    "Keep 2 to 5 cm of water in the field during tillering.",
    "Fall armyworm damages maize leaves; scout the field twice a week.",
    "Answer the farmer's question using only the numbered evidence.",
    "After each sentence, cite the evidence it comes from as [1] or [2].",
    "If the evidence does not cover the question, say plainly that you do not have advice on it.",
    "Keep the answer short. Answer in English. Question: When should I sow wheat in Nepal?",
    "You are a crop advisor for smallholder farmers in South Asia.",
    "### Instruction: ### Input: ### Response: [INST] [/INST] Evidence:",
]

CHATML = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] "
          "+ '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")


def tiny_tokenizer(special: dict[str, str], extra_special: list[str] = (), *, token_type_ids: bool = False,
                   vocab_size: int = 400) -> Any:
    """A byte-level BPE tokenizer trained on a dozen sentences, with the given special tokens."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    names = list(dict.fromkeys([*special.values(), *extra_special]))
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=names,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer)
    inputs = ["input_ids", "token_type_ids", "attention_mask"] if token_type_ids else ["input_ids", "attention_mask"]
    kwargs = {f"{k}_token": v for k, v in special.items()}
    extra = [t for t in names if t not in special.values()]
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_input_names=inputs, clean_up_tokenization_spaces=False,
                                   additional_special_tokens=extra, **kwargs)


def tiny_config(architecture: str, tokenizer: Any) -> Any:
    """A two-layer config of the architecture, sized to the tokenizer."""
    import transformers as tf

    ids = {"bos_token_id": tokenizer.bos_token_id, "eos_token_id": tokenizer.eos_token_id,
           "pad_token_id": tokenizer.pad_token_id}
    vocab = len(tokenizer)
    if architecture in ("mistral", "llama"):
        cls = tf.MistralConfig if architecture == "mistral" else tf.LlamaConfig
        return cls(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                   num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                   tie_word_embeddings=False, **ids)
    if architecture == "bloom":
        return tf.BloomConfig(vocab_size=vocab, hidden_size=64, n_layer=2, n_head=4, tie_word_embeddings=False, **ids)
    if architecture == "mpt":
        return tf.MptConfig(vocab_size=vocab, d_model=64, n_heads=4, n_layers=2, max_seq_len=4096, expansion_ratio=2,
                            tie_word_embeddings=False,
                            **ids)
    raise ValueError(f"no tiny config for architecture {architecture!r}")


def profile_special_tokens(profile: Profile) -> tuple[dict[str, str], list[str]]:
    """Tokenizer roles (bos/eos/unk/pad/sep) and extra special tokens for a profile."""
    t = profile.tokens
    roles = {"bos": t.bos, "eos": t.eos, "sep": t.sep}
    special = {k: v for k, v in roles.items() if v}
    if profile.architecture == "mpt" or t.bos == "<s>":
        special |= {"unk": "<unk>", "pad": "<pad>"}
    else:
        special |= {"unk": "<|unk|>", "pad": "<|pad|>"}
    extra = [s for s in (t.system, t.user, t.response) if s]
    extra += [s for s in profile.stop if s.startswith("<") and s.endswith(">") and s not in special.values()]
    return special, extra


def save_tiny_model(profile: Profile, folder: Path, *, seed: int = 0) -> Path:
    """Build and save a tiny model + tokenizer that fit ``profile``; returns ``folder``."""
    import torch
    from transformers import AutoModelForCausalLM

    special, extra = profile_special_tokens(profile)
    tokenizer = tiny_tokenizer(special, extra, token_type_ids="token_type_ids" in profile.loading.drop_inputs)
    if profile.prompt_format == "chat-template":
        tokenizer.chat_template = CHATML
    torch.manual_seed(seed)
    model = AutoModelForCausalLM.from_config(tiny_config(profile.architecture, tokenizer))
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def relabel(folder: Path, target: Path, a: int, b: int) -> Path:
    """Copy a saved model with token ids ``a`` and ``b`` swapped in its embeddings and output layer.

    The copy behaves exactly as the original with the two tokens renamed, so where the original
    would say ``a`` it now says ``b``: a way to make a random model say its end token on cue.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    with torch.no_grad():
        layers = (model.get_input_embeddings(), model.get_output_embeddings())
        for weight in {id(m.weight): m.weight for m in layers}.values():  # tied weights swap once
            weight[[a, b]] = weight[[b, a]]
    model.save_pretrained(target)
    AutoTokenizer.from_pretrained(folder).save_pretrained(target)
    return target
