"""Consistency measures: steady clips, matching layouts and smooth seams score as such."""

from __future__ import annotations

import numpy as np

from aktion.generation.measures import board_adherence, flicker, seam


def test_flicker_is_zero_for_a_still_and_high_for_noise() -> None:
    still = np.full((5, 16, 16, 3), 100, np.uint8)
    noise = np.random.default_rng(0).integers(0, 255, (5, 16, 16, 3), dtype=np.uint8)
    assert flicker(still) == 0.0 and flicker(noise) > 0.2


def test_board_adherence_prefers_the_same_layout() -> None:
    layout = np.zeros((64, 96, 3), np.uint8)
    layout[20:50, 30:40] = 255
    moved = np.zeros_like(layout)
    moved[5:25, 70:90] = 255
    assert board_adherence(layout, layout) > 0.99 > board_adherence(moved, layout)


def test_seam() -> None:
    a = np.full((8, 8, 3), 10, np.uint8)
    assert seam(a, a) == 0.0 and seam(a, 255 - a) > 0.9
