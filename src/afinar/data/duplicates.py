"""Duplicate examples found by content hash, in 8 bytes an example.

A dict from hash to first line costs about 100 bytes an example in Python objects (300 MB for a
1 GB file of short chats), so the hashes go into an ``array`` as they come and the duplicates
are resolved once, at the end: with a dict while there are few examples, with a sort in numpy
beyond that (importing numpy costs more than a small file takes to check; the sort needs 4 more
bytes an example, for a moment). Both give every
repeated example with the first line that has the same content, in line order.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable
from itertools import compress, count
from operator import ne

# Up to this many examples the dict is small (tens of MB) and needs no numpy.
DICT_LIMIT = 100_000
# The key of a line without an example (``hash()`` never returns -1 in CPython).
NO_KEY = -1


class DuplicateFinder:
    def __init__(self) -> None:
        self.hashes = array("q")
        # Line of each hash, as runs of consecutive lines: hashes[run_index[r]:] start at run_line[r].
        self.run_index = array("q")
        self.run_line = array("q")

    def add(self, key: int, line: int) -> None:
        self._run(line)
        self.hashes.append(key)

    def add_run(self, keys: Iterable[int], line: int) -> None:
        """Keys of consecutive lines starting at ``line`` (NO_KEY for a line without an example)."""
        self._run(line)
        self.hashes.extend(keys)

    def _run(self, line: int) -> None:
        i = len(self.hashes)
        if not self.run_line or line - self.run_line[-1] != i - self.run_index[-1]:
            self.run_index.append(i)
            self.run_line.append(line)

    def _line(self, i: int) -> int:
        r = bisect_right(self.run_index, i) - 1
        return self.run_line[r] + i - self.run_index[r]

    def duplicates(self, dict_limit: int = DICT_LIMIT) -> list[tuple[int, int]]:
        """``(line, first_line)`` of every example whose content an earlier line has, in line order."""
        pairs = _with_dict(self.hashes) if len(self.hashes) <= dict_limit else _with_numpy(self.hashes)
        line = self._line
        for n, (i, first) in enumerate(pairs):
            pairs[n] = (line(i), line(first))
        return pairs


def _with_dict(hashes: array) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    firsts = list(map(seen.setdefault, hashes, count()))
    return [(i, firsts[i]) for i in compress(count(), map(ne, firsts, count())) if hashes[i] != NO_KEY]


def _with_numpy(hashes: array) -> list[tuple[int, int]]:
    """The same pairs: a sorted copy of the hashes' high 32 bits (4 bytes an example) finds the
    values that repeat, a scan in slices finds the examples that have one, and only those go
    through the dict (with their full hashes, so a 32-bit coincidence costs a lookup, not a
    wrong finding)."""
    import numpy as np

    h = np.frombuffer(hashes, dtype=np.int64)
    high = h.view(np.int32)[1::2] if sys.byteorder == "little" else h.view(np.int32)[0::2]
    ordered = np.sort(high)
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    del ordered
    if not len(repeated):
        return []
    values = np.unique(repeated)
    candidates = []
    for start in range(0, len(high), _SLICE):
        part = high[start:start + _SLICE]
        at = np.minimum(np.searchsorted(values, part), len(values) - 1)
        candidates.append(np.flatnonzero(values[at] == part) + start)
    seen: dict[int, int] = {}
    pairs = []
    for i in np.concatenate(candidates).tolist():  # in line order
        first = seen.setdefault(hashes[i], i)
        if first != i and hashes[i] != NO_KEY:
            pairs.append((i, first))
    return pairs


_SLICE = 1 << 20
