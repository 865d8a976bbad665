"""How a serving process treats its memory: shared by `api.main` (what uvicorn serves) and
the benchmarks' own API servers, so that they measure what production runs."""

from __future__ import annotations

import gc

# Young collections between two collections of the middle generation (CPython: 10).
MIDDLE_THRESHOLD = 100


def settle_collector() -> None:
    """Call once the app is built.

    What is loaded by now (modules, the schema, the ORM's mappings: about 250,000 objects)
    lives as long as the process. Left with the cyclic collector, every full collection
    walks all of it again, and one batch of 500 conversations allocates enough to set
    collections off: measured, about 40 ms of CPU per batch. Frozen, the collector leaves
    it alone (objects are still freed as usual when nothing refers to them).

    The youngest generation's threshold stays as it is: raising it from 700 to 10,000
    saved a batch of 500 conversations about 4 ms, but made a z15 map tile (under 4 ms)
    about 0.3 ms slower: 1.21-1.24x its floor against 1.12-1.15x (bench/assets.py at
    100,000 assets, runs side by side). The middle generation is collected after 100
    young collections rather than 10: a batch keeps tens of thousands of objects alive
    until it is answered, and each middle collection walked them again (about 5 ms of a
    batch's CPU)."""
    gc.collect()
    gc.freeze()
    young, _, old = gc.get_threshold()
    gc.set_threshold(young, MIDDLE_THRESHOLD, old)
