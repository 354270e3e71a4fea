"""The Docker Compose reader: ``READER`` is what ``svcgen values`` dispatches to.

Modules: :mod:`.loader` (fast YAML with positions), :mod:`.interpolation` (``${V}`` and ``.env``),
:mod:`.merge` (several ``-f`` files), :mod:`.spec` (our model of the Compose specification),
:mod:`.mapping` (services → components) and :mod:`.reader` (the pipeline).
"""

from svcgen.readers.compose.reader import ComposeReader

READER = ComposeReader()

__all__ = ["READER", "ComposeReader"]
