"""One KPI's fact read from the facts of all candidates, kept field by field."""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any


class FactRow(Mapping[str, Any]):
    """One KPI's fact, read from the columns the rules saw (a field is missing where its
    column holds None); read-only, like every fact."""

    __slots__ = ("_columns", "_row")

    def __init__(self, columns: Mapping[str, Sequence], row: int) -> None:
        self._columns = columns
        self._row = row

    def __getitem__(self, name: str) -> Any:
        value = self._columns[name][self._row]
        if value is None:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return (name for name, values in self._columns.items() if values[self._row] is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)
