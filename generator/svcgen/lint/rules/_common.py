"""Facts several rules derive from a component the same way the chart does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from svcgen.lint.registry import Context, Path
from svcgen.model import Component, Container, ContainerPort

_SUFFIX = {
    "": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"), "Ki": Decimal(2**10), "Mi": Decimal(2**20),
    "Gi": Decimal(2**30), "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}
_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$"
)


def quantity(value: str | int | float) -> Decimal | None:
    """A Kubernetes quantity as a number (``250m`` → 0.25, ``1Gi`` → 2**30); None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return Decimal(str(value))
    match = _QUANTITY.match(value.strip())
    if not match:
        return None
    number, suffix = match.group(1), match.group(2) or ""
    try:
        if suffix[:1] in ("e", "E"):
            return Decimal(number + suffix)
        return Decimal(number) * _SUFFIX[suffix]
    except (InvalidOperation, KeyError):
        return None


def base(cid: str) -> Path:
    return ("components", cid)


def containers(comp: Component, *, init: bool = True) -> Iterator[tuple[str, str, Container]]:
    """(section, name, container) for the containers, then the init containers."""
    for name, c in comp.containers.items():
        yield "containers", name, c
    if init:
        for name, c in comp.initContainers.items():
            yield "initContainers", name, c


def container_ports(comp: Component) -> dict[str, tuple[str, ContainerPort]]:
    """Port name → (container, port) over the pod's (non-init) containers; first one wins."""
    ports: dict[str, tuple[str, ContainerPort]] = {}
    for name, c in comp.containers.items():
        for pname, port in c.ports.items():
            ports.setdefault(pname, (name, port))
    return ports


def service_ports(comp: Component) -> dict[str, int] | None:
    """Service port name → number as the chart renders them; None when no Service is rendered."""
    if not comp.service.enabled:
        return None
    cports = container_ports(comp)
    if not comp.service.ports:
        result = {name: port.containerPort for name, (_, port) in cports.items()}
        return result or None
    result = {}
    for name, sp in comp.service.ports.items():
        number = sp.port
        if number is None:
            target = sp.targetPort if sp.targetPort is not None else name
            if isinstance(target, int):
                number = target
            elif target in cports:
                number = cports[target][1].containerPort
        if number is not None:
            result[name] = number
    return result


def service_name(cid: str, comp: Component) -> str:
    return comp.service.name or cid


def prefix(ctx: Context) -> tuple[str, bool]:
    """The release prefix of object names, and whether its length is only assumed."""
    if ctx.values is None or not ctx.values.global_.prefixWithRelease:
        return "", False
    if ctx.options.release:
        return ctx.options.release + "-", False
    return "r" * ctx.options.assumed_release_length + "-", True


def scaled(comp: Component) -> bool:
    return comp.scaling is not None and comp.scaling.enabled


def most_replicas(comp: Component) -> int:
    if comp.scaling is not None and comp.scaling.enabled:
        return comp.scaling.maxReplicas
    return comp.replicas


def fewest_replicas(comp: Component) -> int:
    if comp.scaling is not None and comp.scaling.enabled:
        return comp.scaling.minReplicas
    return comp.replicas
