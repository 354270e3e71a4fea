"""Annotations that hand an object's life to helm: hooks and the resource policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from svcgen.diagnostics import Severity
from svcgen.lint.registry import Context, Finding, Path, rule

#: The annotations helm reads to decide when it creates, deletes or keeps an object.
HOOK_PREFIX = "helm.sh/hook"
RESOURCE_POLICY = "helm.sh/resource-policy"
#: Where values give annotations of objects helm manages (pod annotations are not: helm never
#: sees a pod template's annotations as an object's).
_COMPONENT_ANNOTATIONS: tuple[tuple[str, ...], ...] = (
    ("annotations",), ("service", "annotations"), ("ingress", "annotations"),
    ("serviceAccount", "annotations"),
)


def helm_managed(key: object) -> bool:
    """Whether an annotation key changes how helm manages the object that carries it."""
    return isinstance(key, str) and (key.strip().startswith(HOOK_PREFIX)
                                     or key.strip() == RESOURCE_POLICY)


def annotation_maps(raw: dict[str, Any]) -> Iterator[tuple[Path, dict[str, Any]]]:
    """Every annotations mapping of the values that reaches a rendered object's metadata."""
    glob = raw.get("global")
    if isinstance(glob, dict) and isinstance(glob.get("annotations"), dict):
        yield ("global", "annotations"), glob["annotations"]
    comps = raw.get("components")
    if not isinstance(comps, dict):
        return
    for cid, comp in comps.items():
        if not isinstance(comp, dict):
            continue
        for where in _COMPONENT_ANNOTATIONS:
            node: Any = comp
            for part in where:
                node = node.get(part) if isinstance(node, dict) else None
            if isinstance(node, dict):
                yield ("components", cid, *where), node


@rule("SVC005", "helm-managed-annotation", Severity.ERROR,
      "A `helm.sh/hook*` or `helm.sh/resource-policy` annotation in values", raw_only=True)
def helm_managed_annotation(ctx: Context) -> Iterator[Finding]:
    """
    Helm reads a few annotations of each object it renders to decide its life. An object with
    ``helm.sh/hook`` is no longer part of the release: helm creates it at the hook's phases
    only, and on the next ``helm upgrade`` deletes the object the release had (a Deployment,
    its Service, its claim and the data on it); with a misspelt phase (``pre-instal``) helm
    skips the object altogether, and every object of the component silently leaves the render.
    ``helm.sh/resource-policy: keep`` makes helm leave the object behind when the release no
    longer has it, so it lingers unmanaged. Given as ``annotations`` of a component (or under
    ``global``), these reach every object of the component at once. The chart has its own hook
    model for the one object that should be a hook: a Job with ``job.hook``, which gives the
    Job and only the objects it needs the hook annotations.

    Example fix: run the migration Job as a hook through the chart, and drop the annotation:

        migrate:
          kind: Job
          job:
            hook: {phases: [pre-install, pre-upgrade]}
    """
    for where, found in annotation_maps(ctx.raw):
        for key in found:
            if not helm_managed(key):
                continue
            if str(key).strip() == RESOURCE_POLICY:
                message = (f"`{key}` in annotations makes helm leave the objects behind, "
                           "unmanaged, when the release no longer has them")
                hint = "remove it; to retire a volume, back up its data first"
            else:
                message = (f"`{key}` in annotations makes every object that carries it a Helm "
                           "hook: helm deletes the release's objects on upgrade, and skips them "
                           "for an unknown phase")
                hint = ("remove it; for a Job that should run as a hook, set `kind: Job` and "
                        "`job.hook: {phases: [...]}`")
            yield Finding((*where, key), message, hint, key=True)
