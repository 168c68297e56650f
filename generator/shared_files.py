"""Services that share a data file (a department's one export of every service), reused service by service.

:func:`units.partition` puts the services reading one file into one unit, as the file is checked
as a whole (rows no service reads, a figure one of its services lacks). Keyed by the file's bytes,
that unit was made again whole for any change in it: in a tester's copy of the Transactions
Explorer's export (734 services in one file), one cell changed took 8 s to show in the dev server,
every service read, worked out and rendered again.

Here such a unit is split into a unit a service, each keyed by its own rows of the file (a
digest of them, once read and checked, :func:`row_digests`) in place of the file's bytes, so a
changed cell makes only its service's pages again (and those that sum it). Where the file has
changed it is still read whole, and its warnings are told afresh; where it has not, what the last
build kept under the whole unit's key (:class:`units.SplitIndex`: each service's digest and the
file's warnings) splits it without reading it, unless a service of it is to be worked out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from generator import units
from generator.errors import Problem, Problems


@dataclass
class Split:
    """What splitting the plan's shared units gave."""

    plan: list[units.Unit]
    rows: dict[str, tuple] = field(default_factory=dict)  # slug -> (tidy frame, its rows' positions), where read
    warnings: list[Problem] = field(default_factory=list)  # of reading the shared files: told, kept in no record
    indices: dict[str, units.SplitIndex] = field(default_factory=dict)  # whole unit's key -> index, to keep
    wholes: dict[str, units.Unit] = field(default_factory=dict)  # whole unit's key -> the unit
    read: set[str] = field(default_factory=set)  # whole units' keys whose rows are in ``rows``


# The columns of a tidy frame that say where each row was in its file: read only by the checks of
# reading it (generator.data, generator.cells), whose warnings are told afresh whenever the file is
# read, so a row taken out above a service's rows does not make that service again.
POSITIONS = ("line", "service_col", "period_line", "period_col")


def row_digests(tidy) -> dict[str, bytes]:
    """Each service's digest of its rows in a tidy frame (data.load_data's): every column but POSITIONS."""
    import numpy as np
    import pandas as pd

    frame = tidy.drop(columns=[c for c in POSITIONS if c in tidy.columns])
    for column in frame.columns:
        if frame[column].dtype == object:  # periods and channels: by their repr, which names every field
            codes, values = pd.factorize(frame[column], use_na_sentinel=False)  # each of the few values once
            frame[column] = np.array([repr(value) for value in values], dtype=object)[codes] if len(values) \
                else frame[column]
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    head = repr([(str(name), str(kind)) for name, kind in frame.dtypes.items()]).encode()
    return {str(slug): hashlib.sha256(head + hashed[positions].tobytes()).digest()
            for slug, positions in tidy.groupby("service", sort=False).indices.items()}


def _read(config, unit: units.Unit, raw_files, root):
    """(tidy rows, problems) of reading a shared unit's files as a whole, as a build of it would."""
    from generator.data import load_data

    problems = Problems(root=root)
    return load_data(config, unit.services, problems, raw_files), problems


def split(config, plan: list[units.Unit], store: units.UnitStore, raw_files, root) -> Split:
    """Split each unit of several services into one a service (keys are then assigned again). A unit
    whose files hold an error is left whole: the build reads it again and tells the error."""
    out = Split([])
    for unit in plan:
        if len(unit.services) < 2:
            out.plan.append(unit)
            continue
        index = store.get_index(unit.key)
        if index is None:
            tidy, problems = _read(config, unit, raw_files, root)
            if problems.errors:
                out.plan.append(unit)
                continue
            digests = row_digests(tidy)
            index = units.SplitIndex({svc.slug: digests.get(svc.slug, b"") for svc in unit.services},
                                     list(problems.items))
            _keep_rows(out, unit.key, tidy)
        out.indices[unit.key] = index
        out.wholes[unit.key] = unit
        out.warnings.extend(index.warnings)
        out.plan.extend(units.Unit([svc], unit.files, rows=index.rows.get(svc.slug, b""), whole=unit.key)
                        for svc in unit.services)
    return out


def _keep_rows(found: Split, key: str, tidy) -> None:
    """Where each service's rows are in the file's tidy frame: cut out only for the services worked
    out (one, after a cell is changed), not for all 734 of the Transactions Explorer's export."""
    found.read.add(key)
    for slug, positions in (tidy.groupby("service", sort=False).indices.items() if len(tidy) else ()):
        found.rows[str(slug)] = (tidy, positions)


def rows_of(found: Split, config, services, raw_files, root):
    """The rows of these services (each split from a shared unit), in one tidy frame: as read in
    splitting, or read now where the index split the unit unread (its warnings are the index's)."""
    import pandas as pd

    from generator.data import empty_frame

    wanted = {svc.slug for svc in services}
    for key, unit in found.wholes.items():
        if key not in found.read and any(svc.slug in wanted for svc in unit.services):
            tidy, _ = _read(config, unit, raw_files, root)  # unchanged since the index was kept: so are its warnings
            _keep_rows(found, key, tidy)
    frames = [tidy.iloc[positions] for tidy, positions in  # in the order load_data gives them
              (found.rows[slug] for slug in sorted(wanted) if slug in found.rows)]
    return pd.concat(frames, ignore_index=True) if frames else empty_frame(config.measure_ids)
