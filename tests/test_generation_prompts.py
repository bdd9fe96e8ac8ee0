"""Prompts from the example production: subject, action, framing, look, fitted to a budget."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aktion.engine.graph import plan
from aktion.generation.prompts import estimate_tokens, shot_prompt
from aktion.production.load import load_production

ROOFTOP = Path(__file__).parent.parent / "examples" / "rooftop"


@pytest.fixture(scope="module")
def requests() -> dict[str, dict]:
    graph = plan(load_production(ROOFTOP), "previz")
    return {s.shot: s.request.model_dump() for s in graph if s.kind == "render"}


def words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text)


def test_the_long_form_reads_subject_action_framing_look(requests) -> None:
    text = shot_prompt(requests["sh010"])
    # subject: each character by name, who they are, their look and wardrobe
    assert text.startswith("VEX, a bike courier in her twenties, lean and wiry, bright red "
                           "nylon courier jacket")
    assert "KADE, an enforcer in his forties, broad as a door, charcoal-grey two-piece suit" \
        in text
    # then the shot's action lines, then framing, then the look
    order = [text.index(s) for s in ("VEX, a bike", "KADE, an enforcer", "Wind and distant",
                                     "extreme wide shot, high angle, 18mm lens",
                                     "cinematic action film still")]
    assert order == sorted(order)
    assert estimate_tokens(text) > 200  # what a 77-token CLIP encoder would cut short


def test_dialogue_is_not_action(requests) -> None:
    shot = requests["sh030"]  # lines 21-28: Kade talks over Vex
    assert "Put it down" in shot["script"]["text"]
    assert "Put it down" not in shot_prompt(shot)


@pytest.mark.parametrize("budget", [77, 60, 40, 25, 12])
def test_a_budget_is_met_by_shortening_in_order_never_mid_word(requests, budget) -> None:
    for shot in ("sh010", "sh040"):
        long = shot_prompt(requests[shot])
        text = shot_prompt(requests[shot], budget=budget)
        assert estimate_tokens(text) <= budget
        assert set(words(text)) <= set(words(long))  # whole words of the long form only
        assert text.startswith("VEX")  # the subject is the last thing to go


def test_cast_descriptions_shrink_to_their_essentials_before_the_action(requests) -> None:
    text = shot_prompt(requests["sh010"], budget=77)
    assert "VEX, a bike courier in her twenties, lean and wiry, bright red nylon courier " \
           "jacket." in text  # essentials: who, first look and wardrobe clause
    assert "short black hair" not in text  # further look clauses went first
    assert "Wind and distant traffic" in text  # the action keeps what still fits
    assert "18mm lens" in text


def test_the_budget_counts_with_the_given_tokenizer(requests) -> None:
    def letters(text: str) -> int:  # a character-level tokenizer, as a tiny model has
        return len(text.replace(" ", "")) + 2

    text = shot_prompt(requests["sh010"], budget=77, count=letters)
    assert letters(text) <= 77 < letters(shot_prompt(requests["sh010"], budget=77))
    assert text.startswith("VEX") and "KADE" in text
    assert text.endswith("extreme wide shot, high angle, 18mm lens")  # the look went first


def test_the_plain_form_is_unchanged_by_a_budget_it_fits(requests) -> None:
    long = shot_prompt(requests["sh020"])
    assert shot_prompt(requests["sh020"], budget=10_000) == long
