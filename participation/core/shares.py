"""Percentages of a whole that add up to exactly 100 (largest-remainder rounding).

Rounding each share on its own can show 33% + 33% + 33% = 99% or 12.5 → 13% + 87.5 → 88% = 101%.
Here every share is first cut down to the shown precision; the units still missing go, one each,
to the shares that lost most in the cut (ties: the earlier share).
"""

from fractions import Fraction


def percentages(counts, decimals=0):
    """Percentages of ``counts`` (non-negative numbers) to ``decimals`` places, adding up to 100.

    All zero (or nothing counted) gives zeros."""
    counts = list(counts)
    total = sum(counts)
    if not counts or total <= 0:
        return [0] * len(counts)
    units = 100 * 10**decimals  # the whole, in the smallest unit shown
    exact = [Fraction(count) * units / Fraction(total) for count in counts]
    floors = [int(value) for value in exact]
    missing = units - sum(floors)
    by_remainder = sorted(range(len(counts)), key=lambda i: (floors[i] - exact[i], i))
    for i in by_remainder[:missing]:
        floors[i] += 1
    if decimals == 0:
        return floors
    return [value / 10**decimals for value in floors]
