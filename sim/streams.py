"""Named random streams: one per stochastic process, and per offender for offender draws.

Every stream is derived from (scenario seed, replication index, stream name[, offender id])
with numpy's ``SeedSequence``, keyed by *name* rather than by creation order, so adding a new
random process never shifts the numbers another process sees. Per-offender streams make
policy comparisons fair (common random numbers): under two policies offender 17's third visit
attempt finds them in or out with the same draw, whatever else changed.
"""

from __future__ import annotations

import zlib

import numpy as np

__all__ = ["Streams", "stream_code"]


def stream_code(name: str) -> int:
    """A stable integer for a stream name (the same on every machine and Python version)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory for the random generators of one replication."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication

    def _generator(self, *key: int) -> np.random.Generator:
        sequence = np.random.SeedSequence(self.seed, spawn_key=(self.replication, *key))
        return np.random.Generator(np.random.PCG64(sequence))

    def process(self, name: str) -> np.random.Generator:
        """The stream for a whole process, e.g. ``"registrations.arrivals"``."""
        return self._generator(stream_code(name))

    def offender(self, name: str, offender_id: int) -> np.random.Generator:
        """The stream for one offender and one purpose, e.g. ``("visit.at_home", 17)``."""
        return self._generator(stream_code(name), offender_id)
