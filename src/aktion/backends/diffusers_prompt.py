"""Prompts sized to a pipeline's own text encoders, counted with its own tokenizers.

A CLIP encoder reads 77 tokens and silently drops the rest; T5-family encoders
(Wan's UMT5, Flux's and SD3's T5) read up to 512. Each of a pipeline's tokenizers
(``tokenizer``, ``tokenizer_2``, ``tokenizer_3``) gets the prompt its encoder takes
whole, under the keyword diffusers gives it (``prompt``, ``prompt_2``, ``prompt_3``).
"""

from __future__ import annotations

from typing import Any

from aktion.generation.prompts import Counter, shot_prompt

LONG_TOKENS = 512  # what T5/UMT5 text encoders of diffusion models read
SLOTS = (("tokenizer", "prompt"), ("tokenizer_2", "prompt_2"), ("tokenizer_3", "prompt_3"))


def token_counter(tokenizer) -> Counter:
    """count(text) = the tokens ``tokenizer`` makes of ``text``, start and end included."""
    def count(text: str) -> int:
        return len(tokenizer(text, truncation=False, verbose=False)["input_ids"])

    return count


def budget(tokenizer) -> int:
    """The tokens an encoder reads: 512 for the T5 family, else the tokenizer's limit."""
    if "T5" in type(tokenizer).__name__:
        return LONG_TOKENS
    return int(tokenizer.model_max_length)


def fitted_prompt(request: dict[str, Any], tokenizer) -> str:
    return shot_prompt(request, budget=budget(tokenizer), count=token_counter(tokenizer))


def prompt_kwargs(pipe, request: dict[str, Any]) -> dict[str, str]:
    """``prompt`` (and ``prompt_2``/``prompt_3`` where the pipeline has more encoders),
    each fitted to its own tokenizer."""
    out = {}
    for attr, keyword in SLOTS:
        tokenizer = getattr(pipe, attr, None)
        if tokenizer is not None:
            out[keyword] = fitted_prompt(request, tokenizer)
    return out or {"prompt": shot_prompt(request)}


def prompt_record(pipe, prompts: dict[str, str]) -> dict[str, Any]:
    """What the step records: each prompt, its length in tokens and its encoder's budget."""
    out = {}
    for attr, keyword in SLOTS:
        tokenizer = getattr(pipe, attr, None)
        if tokenizer is not None and keyword in prompts:
            text = prompts[keyword]
            out[keyword] = {"text": text, "tokens": token_counter(tokenizer)(text),
                            "budget": budget(tokenizer)}
    return out
