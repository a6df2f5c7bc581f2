"""Cycles in a directed graph: what a drawing must never contain, found in linear time.

A computation graph has no cycle, but a drawing can make one: boxes that stand for many
nodes (collapsed neurons) contract the graph, and contracting can join a path that leaves a
box and comes back into it. Graphviz cannot rank a cycle and our own ranking would never
end, so the scene is checked with these two functions. Both are iterative (no recursion
limit) and visit each vertex and edge a bounded number of times.

>>> find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []})
['a', 'b', 'c', 'a']
>>> find_cycle({"a": ["b"], "b": []}) is None
True
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

V = TypeVar("V", bound=Hashable)


def find_cycle(successors: Mapping[V, Sequence[V]]) -> list[V] | None:
    """One cycle as a path that ends where it starts, or None when the graph has none.

    ``successors[v]`` lists where v's edges go; a vertex that only appears as a target
    counts too. Depth-first search with an explicit stack: every vertex is entered once
    and left once, every edge looked at once.
    """
    state: dict[V, int] = {}  # absent: not seen; 1: on the current path; 2: done
    for start in successors:
        if start in state:
            continue
        path: list[V] = [start]
        edges = [iter(successors.get(start, ()))]
        state[start] = 1
        while path:  # each turn enters a vertex or leaves one: at most 2·V turns per start
            step = next(edges[-1], None)
            if step is None:
                state[path.pop()] = 2
                edges.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step) :], step]
            elif step not in state:
                state[step] = 1
                path.append(step)
                edges.append(iter(successors.get(step, ())))
    return None


def vertices_on_cycles(successors: Mapping[V, Sequence[V]]) -> set[V]:
    """Every vertex that lies on some cycle (strongly connected components, Tarjan's
    algorithm without recursion).

    >>> sorted(vertices_on_cycles({"a": ["b"], "b": ["a", "c"], "c": []}))
    ['a', 'b']
    """
    number: dict[V, int] = {}
    low: dict[V, int] = {}
    on_stack: set[V] = set()
    stack: list[V] = []
    found: set[V] = set()
    for start in successors:
        if start in number:
            continue
        work = [(start, iter(successors.get(start, ())))]
        number[start] = low[start] = len(number)
        stack.append(start)
        on_stack.add(start)
        while work:  # each turn enters a vertex, looks at one edge, or leaves a vertex
            v, edges = work[-1]
            w = next(edges, None)
            if w is not None:
                if w not in number:
                    number[w] = low[w] = len(number)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(successors.get(w, ()))))
                elif w in on_stack:
                    low[v] = min(low[v], number[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == number[v]:  # v is the root of a component: pop it off the stack
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                self_loop = v in successors.get(v, ())
                if len(component) > 1 or self_loop:
                    found.update(component)
    return found
