"""Hypothesis strategies for hostile JSON, shared by the fuzz tests (test_fuzz_*.py).

What an outside tester threw at the running exhibit: integers far beyond 64 bits, NaN and Infinity
tokens (Python's json writes and reads them), nesting just shallow enough for the JSON parser,
wrong types everywhere, and bytes that are no JSON at all.
"""

from __future__ import annotations

import json
import random

from hypothesis import strategies as st

HUGE = st.integers(min_value=2**63, max_value=10**400) | st.integers(min_value=-(10**400), max_value=-(2**63))
NUMBERS = st.integers() | HUGE | st.floats() | st.sampled_from([0, -1, 1e15, 1e16, 2**31, 2**31 - 1])
SCALARS = st.none() | st.booleans() | NUMBERS | st.text(max_size=30)

json_values = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


THREE_IN_FOUR = st.sampled_from([True, True, True, False])  # st.integers is biased towards its ends
ONE_IN_TEN = st.sampled_from([False] * 9 + [True])


def weighted(*choices: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each as often as its weight (st.one_of would merge repeated ones)."""
    pool = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(range(len(pool))).flatmap(lambda i: pool[i])


def mostly(strategy: st.SearchStrategy) -> st.SearchStrategy:
    """``strategy`` three times in four, any JSON value otherwise."""
    return weighted((3, strategy), (1, json_values))


# A point: mostly a plausible [x, y] or [x, y, t_ms], else hostile numbers or anything at all.
SANE_POINT = st.lists(st.integers(-1000, 1000) | st.floats(-1e3, 1e3), min_size=2, max_size=3)
points = st.lists(weighted((2, SANE_POINT), (1, st.lists(NUMBERS, max_size=4)), (1, json_values)), max_size=8)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# Depths around the JSON parser's recursion limit (where a value that parses may not describe).
DEPTHS = st.integers(min_value=1, max_value=1200) | st.integers(min_value=950, max_value=1050)


def objects(fields: dict[str, st.SearchStrategy]) -> st.SearchStrategy[dict]:
    """Dicts with each of ``fields`` three times in four (mostly of its own strategy, else any JSON),
    and one time in ten a stray key too."""

    @st.composite
    def build(draw) -> dict:
        obj = {name: draw(mostly(strategy)) for name, strategy in fields.items() if draw(THREE_IN_FOUR)}
        if draw(ONE_IN_TEN):
            obj[draw(st.text(max_size=10))] = draw(json_values)
        return obj

    return build()


def encoded(objects: st.SearchStrategy[dict]) -> st.SearchStrategy[str]:
    """``objects`` as JSON text (NaN and Infinity as their tokens), or with one field nested deeply,
    or other JSON, or not JSON at all."""
    as_text = objects.map(json.dumps)
    with_deep_field = st.tuples(objects, DEPTHS, st.booleans(), st.randoms()).map(_with_deep_field)
    other = json_values.map(json.dumps) | DEPTHS.map(deep) | st.text(max_size=50)
    return weighted((4, as_text), (1, with_deep_field), (1, other))


def _with_deep_field(args: tuple[dict, int, bool, random.Random]) -> str:
    obj, depth, wrapped, rng = args
    if not obj:
        return deep(depth)
    key = rng.choice(sorted(obj, key=str))  # its value becomes the deep list, or holds it inside
    value = "[[[0, " + deep(depth) + "]]]" if wrapped else deep(depth)
    return json.dumps({**obj, key: "DEEP"}).replace('"DEEP"', value, 1)
