"""Results that every visitor with the same settings gets alike, computed once per process.

A class that opens a chapter together asks for the same races at the same defaults sixty times.
`Kept` remembers results by their settings, the most recently used first, up to a number of
bytes of arrays; the arrays it hands out are read-only, since every visitor shares them.
"""

import dataclasses
import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np


def arrays_in(value) -> list[np.ndarray]:
    """Every NumPy array inside a result made of dataclasses, dicts, lists and tuples."""
    if isinstance(value, np.ndarray):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [a for field in dataclasses.fields(value) for a in arrays_in(getattr(value, field.name))]
    if isinstance(value, dict):
        return [a for item in value.values() for a in arrays_in(item)]
    if isinstance(value, list | tuple):
        return [a for item in value for a in arrays_in(item)]
    return []


def _size(array: np.ndarray) -> int:
    """Bytes an array holds, counting the objects an object array points to (read-out text)."""
    if array.dtype == object:
        return array.nbytes + sum(sys.getsizeof(item) for item in array.flat)
    return array.nbytes


class Kept:
    """Results by settings, least recently used dropped first once they hold more than
    `max_bytes` of arrays."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._results: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, compute: Callable[[], object]):
        """The result for `key`, computed by `compute()` the first time (and after it was dropped)."""
        if key in self._results:
            self._results.move_to_end(key)
            return self._results[key][0]
        result = compute()
        arrays = arrays_in(result)
        for array in arrays:
            array.flags.writeable = False
        size = sum(_size(array) for array in arrays)
        self._results[key] = (result, size)
        self._bytes += size
        while self._bytes > self.max_bytes and len(self._results) > 1:
            _, (_, dropped) = self._results.popitem(last=False)
            self._bytes -= dropped
        return result

    def __len__(self) -> int:
        return len(self._results)

    @property
    def bytes(self) -> int:
        return self._bytes
