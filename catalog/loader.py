"""Read the catalog data files into strict models and check what spans files."""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

import yaml
from pydantic import ValidationError

from catalog.errors import CatalogError
from catalog.models import CatalogFile, Kpi
from catalog.vocab import DEPARTMENTS

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, eq=False)
class Catalog:
    """All KPIs in catalog order, indexed by id, with a fingerprint of the files they came from.

    Catalogs with the same fingerprint were read from the same files: they are equal and hash
    alike, so a cache keyed by a catalog is keyed by its fingerprint.
    """

    kpis: tuple[Kpi, ...]
    fingerprint: str
    by_id: Mapping[str, Kpi] = field(default_factory=dict)
    memo: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        # Read-only, so no caller can change the index every page and command shares.
        object.__setattr__(self, "by_id", MappingProxyType(dict(self.by_id)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Catalog) and other.fingerprint == self.fingerprint

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def get(self, kpi_id: str) -> Kpi | None:
        """Return the KPI with this id, or None."""
        return self.by_id.get(kpi_id)

    def in_department(self, department: str) -> list[Kpi]:
        """Return the KPIs of one department, in catalog order."""
        return [k for k in self.kpis if k.department == department]


def builtin_files() -> list[Path]:
    """Return the built-in data files: per department `<department>.yaml`, then its
    `<department>_<topic>.yaml` files by name (this order is the catalog's order)."""
    root = Path(str(resources.files("catalog") / "data"))
    found = []
    for dept in DEPARTMENTS:
        found.append(root / f"{dept}.yaml")
        found.extend(sorted(root.glob(f"{dept}_*.yaml")))
    return found


@cache
def builtin_catalog() -> Catalog:
    """Return the built-in catalog, loaded once per process."""
    return load_catalog(builtin_files())


def load_catalog(paths: Iterable[Path]) -> Catalog:
    """Return a Catalog from data files, raising CatalogError on the first problem found."""
    paths = list(paths)
    digest = hashlib.sha256()
    kpis: list[Kpi] = []
    files: dict[str, str] = {}
    for path in paths:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        for kpi in _parse_file(path.name, raw):
            kpis.append(kpi)
            files.setdefault(kpi.id, path.name)
    by_id = _index(kpis, paths)
    _check_references(kpis, by_id, files)
    by_concept = _by_concept(kpis)
    _check_concepts(by_concept, files)
    _check_guard_concepts(kpis, by_id, by_concept, files)
    return Catalog(kpis=tuple(kpis), fingerprint=digest.hexdigest()[:16], by_id=by_id)


def _parse_file(name: str, raw: bytes) -> list[Kpi]:
    """Return the KPIs of one file, or raise CatalogError naming file, entry and field."""
    try:
        data = yaml.load(raw, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(name, "-", "-", f"not valid YAML: {exc}") from exc
    try:
        parsed = CatalogFile.model_validate(data)
    except ValidationError as exc:
        raise _catalog_error(name, data, exc) from exc
    for kpi in parsed.kpis:
        if kpi.department != parsed.department:
            raise CatalogError(name, kpi.id, "department",
                               f"is {kpi.department!r} in the {parsed.department!r} file")
    return parsed.kpis


def _catalog_error(name: str, data: object, exc: ValidationError) -> CatalogError:
    """Return a CatalogError for the first validation error, naming the entry by id or index."""
    # An unknown key usually explains the "missing" one next to it (a typo), so name it first.
    first = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = list(first["loc"])
    entry = "-"
    if len(loc) >= 2 and loc[0] == "kpis" and isinstance(loc[1], int):
        index = loc[1]
        entry = f"#{index}"
        if isinstance(data, dict) and isinstance(data.get("kpis"), list):
            item = data["kpis"][index] if index < len(data["kpis"]) else None
            if isinstance(item, dict) and item.get("id"):
                entry = f"{item['id']!r} (#{index})"
        loc = loc[2:]
    field_path = ".".join(str(part) for part in loc) or "-"
    return CatalogError(name, entry, field_path, first["msg"])


def _index(kpis: list[Kpi], paths: list[Path]) -> dict[str, Kpi]:
    """Return KPIs by id, refusing duplicates."""
    by_id: dict[str, Kpi] = {}
    for kpi in kpis:
        if kpi.id in by_id:
            raise CatalogError(",".join(p.name for p in paths), kpi.id, "id", "duplicate id")
        by_id[kpi.id] = kpi
    return by_id


def _check_references(kpis: list[Kpi], by_id: dict[str, Kpi], files: dict[str, str]) -> None:
    """Raise CatalogError when a counter-KPI or related id does not resolve."""
    for kpi in kpis:
        for field_name in ("counter_kpis", "related"):
            for ref in getattr(kpi, field_name):
                if ref not in by_id:
                    raise CatalogError(files[kpi.id], kpi.id, field_name,
                                       f"unknown KPI id {ref!r}")
                if ref == kpi.id:
                    raise CatalogError(files[kpi.id], kpi.id, field_name,
                                       "a KPI cannot refer to itself")


def _by_concept(kpis: list[Kpi]) -> dict[str, list[Kpi]]:
    """Return the KPIs of each `measures` concept, in catalog order."""
    by_concept: dict[str, list[Kpi]] = {}
    for kpi in kpis:
        if kpi.measures is not None:
            by_concept.setdefault(kpi.measures, []).append(kpi)
    return by_concept


def _check_concepts(by_concept: dict[str, list[Kpi]], files: dict[str, str]) -> None:
    """Raise CatalogError when two departments' KPIs share a `measures` concept without
    listing each other as related (the same measure twice must be a known pair)."""
    for concept, group in by_concept.items():
        for kpi in group:
            for other in group:
                if other.department != kpi.department and other.id not in kpi.related:
                    raise CatalogError(files[kpi.id], kpi.id, "measures",
                                       f"{concept!r} is also measured by {other.id} "
                                       f"({files[other.id]}); list each other as related")


def _check_guard_concepts(kpis: list[Kpi], by_id: dict[str, Kpi],
                          by_concept: dict[str, list[Kpi]], files: dict[str, str]) -> None:
    """Raise CatalogError when a counter-KPI list names one entry of a `measures` concept but
    not the others (the guard is the measure, whichever entry fits the client)."""
    for kpi in kpis:
        for ref in kpi.counter_kpis:
            concept = by_id[ref].measures
            missing = [o.id for o in by_concept.get(concept or "", [])
                       if o.id != kpi.id and o.id not in kpi.counter_kpis]
            if missing:
                raise CatalogError(files[kpi.id], kpi.id, "counter_kpis",
                                   f"{ref} measures {concept!r}, as {', '.join(missing)} "
                                   "also do; list them too")
