"""Tests of kg.export.layout: every node placed, apart from the others, deterministically."""
from __future__ import annotations

import itertools
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.export.layout import balloon_layout


def min_distance(pos) -> float:
    return min((math.dist(a, b) for a, b in itertools.combinations(pos, 2)), default=math.inf)


def test_empty_and_single():
    assert balloon_layout(0, []) == []
    assert balloon_layout(1, [(0, 0)]) == [(0.0, 0.0)]


def test_hub_at_the_centre_leaves_around_it():
    pos = balloon_layout(31, [(0, i) for i in range(1, 31)], spacing=10)
    assert pos[0] == (0.0, 0.0)
    radii = [math.hypot(*p) for p in pos[1:]]
    assert radii == sorted(radii)  # a spiral outwards, in input order
    assert math.isclose(radii[0], 10, abs_tol=0.1) and math.isclose(radii[-1], 10 * math.sqrt(30), abs_tol=0.1)


def test_components_do_not_overlap():
    # two stars and three isolated nodes
    edges = [(0, i) for i in range(1, 11)] + [(11, i) for i in range(12, 17)]
    pos = balloon_layout(20, edges, spacing=10)
    assert pos[0] == (0.0, 0.0)  # the largest component is centred
    big = max(math.hypot(*pos[i]) for i in range(11))
    assert all(math.dist(pos[i], (0, 0)) > big for i in range(11, 20))
    assert min_distance(pos) >= 10 - 0.2


def test_deterministic_and_order_free_for_edges():
    edges = [(i, (i * 7) % 50) for i in range(50)] + [(3, 3), (1, 0), (0, 1)]
    one = balloon_layout(50, edges)
    assert one == balloon_layout(50, list(reversed(edges)))
    assert one == balloon_layout(50, [(v, u) for u, v in edges])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))))
def test_nodes_are_at_least_spacing_apart(case):
    n, edges = case
    pos = balloon_layout(n, edges, spacing=10)
    assert len(pos) == n
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos)
    assert min_distance(pos) >= 10 - 0.2  # rounding to 0.1


def test_trees_are_compact():
    # A division tree like the gazetteer's: 1 + 11 + 11*10 + 110*10 nodes.
    edges, n = [], 1
    frontier = [0]
    for fan in (11, 10, 10):
        nxt = []
        for p in frontier:
            for _ in range(fan):
                edges.append((n, p))
                nxt.append(n)
                n += 1
        frontier = nxt
    pos = balloon_layout(n, edges, spacing=10)
    extent = max(math.hypot(*p) for p in pos)
    # The disc holding n nodes spaced 10 apart has radius >= 10 * sqrt(n) / 2;
    # stay within a small factor of that.
    assert extent < 6 * 10 * math.sqrt(n)
    assert min_distance(pos) >= 10 - 0.2
