"""A fast, deterministic layout for large graphs: balloon trees, packed.

In a browser, vis-network's force simulation costs tens of milliseconds per
iteration once a graph has thousands of nodes (``benchmarks/html_load.py``),
so a page of 5,000 nodes would need most of a minute to settle.  Large pages
therefore get their positions from here and draw at once, with physics off.

The layout suits this graph, which is mostly a tree (divisions ``partOf``
their parents, entities located in or administering divisions) with many
fans (a county with dozens of projects): every connected component is laid
out as a *balloon tree* over a breadth-first spanning tree rooted at its
best-connected node.  A node's leaf children sit on a sunflower spiral
around it (Vogel's model: even density, no rings), the subtrees of its other
children on a circle around that, each in a disc sized to hold it; the
components are then packed in rows, largest first.  It is O(nodes + edges)
and uses only the order of its input, never hashes or random numbers.

Example
-------
>>> pos = balloon_layout(4, [(0, 1), (0, 2), (0, 3)], spacing=10)
>>> pos[0]
(0.0, 0.0)
>>> sorted(round((x * x + y * y) ** 0.5) for x, y in pos[1:])  # leaves on the spiral
[10, 14, 17]
"""
from __future__ import annotations

__all__ = ["balloon_layout"]

import math
from collections import deque
from collections.abc import Iterable

# Vogel's sunflower: successive points turn by the golden angle.
_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def _spanning_forest(n: int, adj: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Breadth-first spanning trees: children lists and the roots, largest hubs first."""
    children: list[list[int]] = [[] for _ in range(n)]
    seen = [False] * n
    roots = []
    # (a stable sort of 0 … n-1 by degree alone keeps equal degrees in index order)
    by_degree = [-len(a) for a in adj]
    for root in sorted(range(n), key=by_degree.__getitem__):
        if seen[root]:
            continue
        seen[root] = True
        roots.append(root)
        queue = deque([root])
        while queue:
            v = queue.popleft()
            for w in adj[v]:
                if not seen[w]:
                    seen[w] = True
                    children[v].append(w)
                    queue.append(w)
    return children, roots


def _postorder(root: int, children: list[list[int]]) -> list[int]:
    order, stack = [], [root]
    while stack:
        v = stack.pop()
        order.append(v)
        stack.extend(children[v])
    order.reverse()
    return order


def balloon_layout(n: int, edges: Iterable[tuple[int, int]],
                   spacing: float = 40.0) -> list[tuple[float, float]]:
    """Positions of nodes ``0 … n-1`` of an undirected graph.

    Parameters
    ----------
    n
        Number of nodes.
    edges
        Pairs of node indices; direction, loops and repeats do not matter.
    spacing
        About the distance between neighbouring nodes, in drawing units.

    Returns
    -------
    list of (x, y)
        One position per node, rounded to 0.1; the largest component is
        centred on its root at the origin.  No two nodes are closer than
        ``spacing`` (leaf k of a node sits ``spacing * sqrt(k + 1)`` from it,
        and the discs of sibling subtrees are at least ``spacing`` apart;
        ``tests/test_export_layout.py`` checks it on random graphs).
    """
    # sorted neighbour lists without repeats: every arc both ways, sorted once
    arcs = {(u, v) for u, v in edges if u != v}
    arcs.update([(v, u) for u, v in arcs])
    adj: list[list[int]] = [[] for _ in range(n)]
    for u, v in sorted(arcs):
        adj[u].append(v)
    children, roots = _spanning_forest(n, adj)

    radius = [0.0] * n  # radius of the disc holding a node's subtree
    offset: list[tuple[float, float]] = [(0.0, 0.0)] * n  # position relative to the parent
    comps = []
    for root in roots:
        order = _postorder(root, children)
        for v in order:
            leaves = [c for c in children[v] if not children[c]]
            inner = [c for c in children[v] if children[c]]
            # Leaf k sits at distance spacing * sqrt(k + 1): equal area per leaf.
            for k, c in enumerate(leaves):
                r, a = spacing * math.sqrt(k + 1.0), k * _GOLDEN_ANGLE
                offset[c] = (r * math.cos(a), r * math.sin(a))
            core = spacing * math.sqrt(len(leaves)) if leaves else spacing / 2
            if not inner:
                radius[v] = core
                continue
            # Child discs on a circle: far enough out to clear the spiral, and
            # long enough around to keep neighbouring discs apart.  Each disc
            # gets an arc in proportion to its width; with ring >= total / 4
            # the chord between two neighbours' centres (>= 2/pi of their arc)
            # is at least the sum of their radii plus ``spacing``.
            widths = [2.0 * radius[c] + spacing for c in inner]
            ring = max(core + spacing + max(radius[c] for c in inner), sum(widths) / 4.0)
            total, angle = sum(widths), 0.0
            for c, w in zip(inner, widths):
                a = 2.0 * math.pi * (angle + w / 2.0) / total
                offset[c] = (ring * math.cos(a), ring * math.sin(a))
                angle += w
            radius[v] = ring + max(radius[c] for c in inner)
        comps.append((root, order, radius[root]))

    pos: list[tuple[float, float]] = [(0.0, 0.0)] * n

    def place(root: int, order: list[int], x: float, y: float) -> None:
        pos[root] = (x, y)
        for v in reversed(order):  # preorder: parents before children
            px, py = pos[v]
            for c in children[v]:
                dx, dy = offset[c]
                pos[c] = (px + dx, py + dy)

    # The largest component is centred at the origin; the others follow in
    # rows below it (shelf packing, largest first), in a block about as wide
    # as it is tall.
    comps.sort(key=lambda c: (-c[2], c[0]))
    if comps:
        root, order, big = comps[0]
        place(root, order, 0.0, 0.0)
        area = sum((2.0 * r + spacing) ** 2 for _, _, r in comps[1:])
        half = max(big, math.sqrt(area) / 2.0)
        x, y, row = -half, big + spacing, 0.0
        for root, order, r in comps[1:]:
            d = 2.0 * r + spacing
            if x + d > half and x > -half:
                x, y, row = -half, y + row, 0.0
            place(root, order, x + d / 2.0, y + d / 2.0)
            x, row = x + d, max(row, d)
    # "+ 0.0" turns -0.0 into 0.0, so equal layouts print equal.
    return [(round(px, 1) + 0.0, round(py, 1) + 0.0) for px, py in pos]
