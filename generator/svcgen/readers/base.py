"""What every reader takes and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from svcgen.diagnostics import Diagnostic
from svcgen.yamlio import Document

if TYPE_CHECKING:
    from svcgen.readers._common import Owned


@dataclass(frozen=True)
class ReadOptions:
    """Options of ``svcgen values`` that readers honour."""

    project: str | None = None
    registry: str | None = None
    #: ``--image SERVICE=REF``: explicit image references by service name.
    images: dict[str, str] = field(default_factory=dict)
    #: The ``--image`` keys a reader applied; one that names no service is an error.
    images_used: set[str] = field(default_factory=set)
    env_file: str | None = None
    profiles: tuple[str, ...] = ()
    #: Variables for interpolation; the process environment when None.
    environ: dict[str, str] | None = None
    #: ``--exposure``: how the release renders exposure (global.exposure); the input's when None.
    exposure: str | None = None
    #: ``--gateway NAMESPACE/NAME[/SECTION]``: the Gateway routes attach to (global.gateway).
    gateway: dict[str, str] | None = None
    #: ``--var NAME=VALUE``: values of the inputs' own variables (DevSpace's flag of that name).
    variables: dict[str, str] = field(default_factory=dict)

    @property
    def routes(self) -> bool:
        """Whether the release renders Gateway API routes, so readers convert what an Ingress
        alone could leave to its controller (ImplementationSpecific paths, weights)."""
        return self.exposure in ("gateway", "both")


    def image_for(self, *names: str) -> str | None:
        """The ``--image`` reference given for the first of these names that has one."""
        for name in names:
            if name in self.images:
                self.images_used.add(name)
                return self.images[name]
        return None


@dataclass
class ReadResult:
    """Chart values (plain data, valid for :class:`svcgen.model.Values`) and the report.

    ``report`` holds one Diagnostic per note: severity INFO for what was converted (one summary per
    service) and the choices made (security profile, normalised names), WARNING for every key that
    was not converted (``path`` is the key's path in the input, ``message`` the reason), ERROR only
    through exceptions. Rule ids: ``R001`` converted, ``R002`` choice made, ``R100`` not converted,
    ``R101`` action needed by the user (push an image, create a Secret).
    """

    values: dict[str, Any]
    report: list[Diagnostic] = field(default_factory=list)
    #: component → container → variable → the literal value the reader replaced by a Secret
    #: reference: never part of ``values``; `svcgen values --secret-values` writes it apart.
    secret_values: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)


class Reader(Protocol):
    #: The format's name in the table of :mod:`svcgen.readers` (``--format``).
    name: str
    #: How to recognise the format, for the message when no reader recognises an input.
    looks_like: str
    #: The keys this reader decides (an in-place update removes those it no longer generates).
    owned: Owned
    #: Loads one input file into documents with positions; readers that share a loader share
    #: its result during auto-detection.
    loader: Callable[[str, str], list[Document]]

    def detect(self, document: Document) -> bool:
        """True when the (first) document of an input looks like this reader's format."""
        ...

    def read(self, documents: list[Document], options: ReadOptions) -> ReadResult:
        """Documents of every input file of this format, in command-line order."""
        ...
