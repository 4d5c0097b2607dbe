"""FollowTheMoney entities: ``cases export ftm``, one JSON object a line.

Written with the standard library (the ``followthemoney`` package is a test
extra: the tests check every entity against its model). Rows are read through
the one privacy filter, inside one snapshot, and each entity is written as soon
as it is built. An entity's id is made from its record's uid (``cases-UID``), so
a link needs no lookup: a trial party's person is ``cases-`` and the person's uid.

What FtM keeps as a property on one entity but cases keeps in another table is
gathered first, a table at a time: the aliases (FtM's ``alias`` of a person or
an organisation) and those taking part in a ruling, asylum decision, detention
or event (FtM's ``involved`` and ``organizer``). Memory grows with those, not
with the people or the facts.

A date becomes the most precise prefix that is true of it (``2018-10`` for
``2018-10?``, nothing for ``../2019-11``); whenever that loses something, the
date as recorded goes into ``notes``. So does every value FtM has no property
for, or would refuse (a country it does not know, a case number longer than an
identifier): nothing is dropped silently. The README lists the mapping.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TextIO

from cases.db.connection import Store
from cases.privacy import PrivacyFilter
from cases.service.ftm.codes import country_code, language_code
from cases.service.ftm.entity import date_prefix, entity_id
from cases.service.ftm.mappers import Mapper
from cases.service.transfer import write_to_file

__all__ = [
    "country_code",
    "date_prefix",
    "entity_id",
    "export_ftm",
    "export_ftm_file",
    "language_code",
]


def export_ftm(store: Store, out: TextIO, *, include_private: bool = False) -> dict[str, int]:
    """Write FtM entities to OUT, one JSON object a line, from one snapshot, through
    the privacy filter; return how many of each schema."""
    counts: Counter[str] = Counter()
    with store.snapshot():
        visible = PrivacyFilter(store, include_private=include_private)
        for entity in Mapper(store, visible).entities():
            out.write(entity.line())
            counts[entity.schema] += 1
        visible.note_public_mentions()
    return dict(counts)


def export_ftm_file(
    store: Store, path: Path, *, include_private: bool = False, force: bool = False
) -> dict[str, int]:
    """:func:`export_ftm` into the file PATH (mode 0600), which appears only when complete."""
    return write_to_file(
        store, path, force, lambda out: export_ftm(store, out, include_private=include_private)
    )
