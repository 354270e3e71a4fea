"""The readers, registered in one table: ``svcgen values`` knows formats only from here.

A reader is one module (or package) whose ``READER`` follows :class:`svcgen.readers.base.Reader`.
Auto-detection asks the readers in table order; adding a format is one module and one row.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the table is read by ``svcgen --help``: importing a reader waits until used
    from svcgen.readers.base import Reader

#: Format name → module holding its ``READER``, in the order auto-detection tries them.
READERS: dict[str, str] = {
    "compose": "svcgen.readers.compose",
    "spacecloud": "svcgen.readers.spacecloud",
    "devspace": "svcgen.readers.devspace",
}
FORMATS: tuple[str, ...] = tuple(READERS)


def load_reader(name: str) -> Reader:
    """The ``READER`` of format ``name``, imported when first needed."""
    reader: Reader = importlib.import_module(READERS[name]).READER
    return reader
