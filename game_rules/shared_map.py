"""`SharedMap`: a read-only, insertion-ordered mapping whose new versions share storage.

A room's state is never changed in place, yet a join or a connection change must not copy
the room's 10,000 players. `SharedMap.set` returns a new version in O(1): the newest
version holds the dict, and the version it came from keeps only what it had under the
keys that changed (an undo record) and a link to the newer one. Reading the newest
version is a dict read. Reading an older version (a test comparing before and after, or a
second branch from the same state) first gives it a dict of its own, once: a copy of the
newest dict with the undo records on the way applied backwards, O(size + versions between).

Only additions at the end and replacements are shared this way (an undo then deletes a key
that is last, or puts an old value back in its place), so every version keeps its order.
Removing keys builds a new independent map (`without`), as a rebuild of a dict would.
A version that is being iterated (an iterator over it holds its dict) keeps its dict: a
new version made from it meanwhile gets a copy, so the iteration reads the version it
began on. Iterating is a dict's own iteration, at its speed.
"""

from __future__ import annotations

import sys
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from typing import Any, TypeVar, get_args, overload

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


class _Absent:
    """The value an undo record gives a key the older version did not have."""


_ABSENT = _Absent()


class SharedMap(Mapping[K, V]):
    """A mapping; `set`/`update` return a new version in O(number of keys changed)."""

    # `_data`: this version's dict (None once a newer version took it over); then
    # `_newer` is that version and `_undo` the (key, value here or _ABSENT) pairs that
    # turn its contents back into this version's.
    __slots__ = ("_data", "_newer", "_undo")

    def __init__(self, items: Mapping[K, V] | Iterable[tuple[K, V]] = ()) -> None:
        self._data: dict[K, V] | None = dict(items)
        self._newer: SharedMap[K, V] | None = None
        self._undo: tuple[tuple[K, V | _Absent], ...] = ()

    # ------------------------------------------------------------------ new versions

    def set(self, key: K, value: V) -> SharedMap[K, V]:
        """A new version with `key` set to `value` (added at the end if new)."""
        return self.update(((key, value),))

    def update(self, pairs: Iterable[tuple[K, V]]) -> SharedMap[K, V]:
        """A new version with each (key, value) of `pairs` set, in their order."""
        data = self._dict()
        if _references(data) > _HELD:  # an iterator holds it: keep it whole, copy
            fresh = dict(data)
            fresh.update(pairs)
            return SharedMap._holding(fresh)
        undo: list[tuple[K, V | _Absent]] = []
        seen: set[K] = set()
        for key, value in pairs:
            if key not in seen:  # the first old value is the one to put back
                seen.add(key)
                undo.append((key, data.get(key, _ABSENT)))
            data[key] = value
        new = SharedMap._holding(data)
        # Undo in the reverse order of the changes: additions come off the end.
        self._data, self._newer, self._undo = None, new, tuple(reversed(undo))
        return new

    @staticmethod
    def _holding(data: dict[K, V]) -> SharedMap[K, V]:
        """A newest version whose dict is `data` (not copied)."""
        new: SharedMap[K, V] = SharedMap.__new__(SharedMap)
        new._data, new._newer, new._undo = data, None, ()
        return new

    def without(self, keys: Iterable[K]) -> SharedMap[K, V]:
        """A new, independent version without `keys` (O(size), like rebuilding a dict)."""
        gone = set(keys)
        return SharedMap((k, v) for k, v in self._dict().items() if k not in gone)

    # ------------------------------------------------------------------ reading

    def _dict(self) -> dict[K, V]:
        """This version's contents as a dict (its own from now on, if it was older)."""
        data = self._data
        if data is not None:
            return data
        chain: list[SharedMap[K, V]] = []
        node: SharedMap[K, V] = self
        while node._data is None:
            chain.append(node)
            assert node._newer is not None
            node = node._newer
        data = dict(node._data)
        for older in reversed(chain):
            for key, value in older._undo:
                if isinstance(value, _Absent):
                    del data[key]
                else:
                    data[key] = value
        self._data, self._newer, self._undo = data, None, ()
        return data

    def __getitem__(self, key: K) -> V:
        data = self._data
        return (data if data is not None else self._dict())[key]

    def __contains__(self, key: object) -> bool:
        data = self._data
        return key in (data if data is not None else self._dict())

    @overload
    def get(self, key: K, /) -> V | None: ...

    @overload
    def get(self, key: K, /, default: V | T) -> V | T: ...

    def get(self, key: K, /, default: Any = None) -> Any:
        data = self._data
        return (data if data is not None else self._dict()).get(key, default)

    def __len__(self) -> int:
        data = self._data
        return len(data if data is not None else self._dict())

    def __iter__(self) -> Iterator[K]:
        return iter(self._dict())

    def keys(self) -> KeysView[K]:
        return _Keys(self)

    def values(self) -> ValuesView[V]:
        return _Values(self)

    def items(self) -> ItemsView[K, V]:
        return _Items(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SharedMap):
            return self._dict() == other._dict()
        if isinstance(other, dict):
            return self._dict() == other
        if isinstance(other, Mapping):
            return self._dict() == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"SharedMap({self._dict()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SharedMap, (dict(self._dict()),))

    # ------------------------------------------------------------------ pydantic

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any,
                                     handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        """Validated and serialised as the dict it holds (the same JSON as a dict field)."""
        key, value = get_args(source) or (Any, Any)
        as_dict = handler.generate_schema(dict[key, value])  # type: ignore[valid-type]

        def wrap(value: Any, validate: core_schema.ValidatorFunctionWrapHandler) -> Any:
            return value if isinstance(value, SharedMap) else SharedMap(validate(value))

        return core_schema.no_info_wrap_validator_function(
            wrap, as_dict,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda m: m._dict(), return_schema=as_dict))


class _Keys(KeysView[K]):
    _mapping: SharedMap[K, Any]

    def __iter__(self) -> Iterator[K]:
        return iter(self._mapping)


class _Values(ValuesView[V]):
    _mapping: SharedMap[Any, V]

    def __iter__(self) -> Iterator[V]:
        return iter(self._mapping._dict().values())


class _Items(ItemsView[K, V]):
    _mapping: SharedMap[K, V]

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return iter(self._mapping._dict().items())


def _references(data: dict[Any, Any]) -> int:
    return sys.getrefcount(data)


def _held() -> int:
    """The references to a version's dict inside `update` when nothing else holds it (its
    version, `update`'s local name, this call): more means a live iterator (CPython's
    dict iterators hold their dict until they are done)."""
    version: SharedMap[Any, Any] = SharedMap()
    data = version._dict()
    return _references(data)


_HELD = _held()
