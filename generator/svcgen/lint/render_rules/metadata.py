"""Labels, annotations and names: what every object's metadata must be."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from svcgen.lint.render_rules import (
    ValuesPath,
    Version,
    Violation,
    api_rule,
    mapping,
    pod_spec,
)
from svcgen.lint.render_rules.formats import label_value, qualified_name

#: Where the chart takes an object's labels from, most specific first.
_LABEL_SOURCES: tuple[ValuesPath, ...] = (
    ("podLabels",), ("labels",), ("service", "labels"), ("global", "labels"),
    ("global", "metrics", "monitorLabels"),
)
_ANNOTATION_SOURCES: tuple[ValuesPath, ...] = (
    ("podAnnotations",), ("annotations",), ("service", "annotations"), ("ingress", "annotations"),
    ("serviceAccount", "annotations"), ("global", "annotations"),
)
#: ValidateAnnotationsSize: all annotations of one object together.
TOTAL_ANNOTATION_SIZE = 256 * 1024


LabelMap = tuple[str, dict[str, Any], tuple[ValuesPath, ...]]


def _label_maps(obj: dict[str, Any]) -> Iterator[LabelMap]:
    yield "metadata.labels", mapping(obj, "metadata", "labels"), _LABEL_SOURCES
    found = pod_spec(obj)
    if found is not None:
        at, spec = found
        template = at.rsplit(".spec", 1)[0]
        node: Any = obj
        for part in template.split(".") if template else []:
            node = node.get(part, {})
        yield f"{template}.metadata.labels", mapping(node, "metadata", "labels"), _LABEL_SOURCES
        yield f"{at}.nodeSelector", mapping(spec, "nodeSelector"), (("nodeSelector",),)
    yield "spec.selector.matchLabels", mapping(obj, "spec", "selector", "matchLabels"), ()
    if obj.get("kind") == "Service":
        yield "spec.selector", mapping(obj, "spec", "selector"), ()


@api_rule("SVC910", "label-format", "A label key is not a qualified name or its value is not a "
          "valid label value")
def label_keys_and_values(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    The API server refuses an object whose labels (or pod template labels, selectors and node
    selector) break ``ValidateLabels`` (kubernetes/kubernetes,
    apimachinery/pkg/apis/meta/v1/validation): every key must pass ``IsQualifiedName`` (an
    optional DNS-subdomain prefix and ``/``, then at most 63 alphanumerics, ``-``, ``_``, ``.``)
    and every value ``IsValidLabelValue`` (at most 63 such characters, alphanumeric at both
    ends, or empty). The values schema accepts any string, so a label such as
    ``team: platform engineering`` renders and ``helm install`` fails.

    Example fix: use a label value of the allowed characters, e.g.

        labels: {team: platform-engineering}
    """
    for at, labels, sources in _label_maps(obj):
        for key, value in labels.items():
            key_why = qualified_name(str(key))
            value_why = label_value(str(value)) if value is not None else ""
            if not (key_why or value_why):
                continue
            places = tuple((*s, str(key)) for s in sources)
            if key_why:
                yield Violation(f"{at}.{key}", f"label key {key!r}: {key_why}", places)
            if value_why:
                yield Violation(f"{at}.{key}", f"label {key}={str(value)!r}: {value_why}",
                                places)


@api_rule("SVC911", "annotation-format", "An annotation key is not a qualified name, or the "
          "annotations are too large")
def annotation_keys(obj: dict[str, Any], version: Version) -> Iterator[Violation]:
    """
    ``ValidateAnnotations`` (kubernetes/kubernetes, apimachinery/pkg/api/validation/objectmeta.go)
    checks each annotation key, lower-cased, with ``IsQualifiedName`` and the total size of all
    keys and values of one object against 256 KiB. Values may be any text; keys may not carry
    spaces, a second ``/`` or a name part over 63 characters.

    Example fix: write the key as ``prefix/name``:

        annotations: {example.com/owner: team-a}
    """
    places_at = [("metadata.annotations", mapping(obj, "metadata", "annotations"))]
    found = pod_spec(obj)
    if found is not None:
        template = found[0].rsplit(".spec", 1)[0]
        node: Any = obj
        for part in template.split(".") if template else []:
            node = node.get(part, {})
        places_at.append((f"{template}.metadata.annotations", mapping(node, "metadata",
                                                                      "annotations")))
    for at, notes in places_at:
        size = 0
        for key, value in notes.items():
            size += len(str(key)) + len(str(value))
            why = qualified_name(str(key).lower())
            if why:
                yield Violation(f"{at}.{key}", f"annotation key {key!r}: {why}",
                                tuple((*s, str(key)) for s in _ANNOTATION_SOURCES))
        if size > TOTAL_ANNOTATION_SIZE:
            yield Violation(at, f"annotations take {size} bytes: may not exceed "
                            f"{TOTAL_ANNOTATION_SIZE}", (("podAnnotations",), ("annotations",)))


@api_rule("SVC912", "duplicate-object-name", "Two rendered objects of one kind have the same "
          "name", render=True)
def duplicate_names(objects: Sequence[dict[str, Any]], version: Version) -> Iterator[Violation]:
    """
    Names are unique per kind (API group and kind) and namespace: the API server stores the
    second object of one name over the first (``helm install`` refuses the release as it would
    own one object twice; kubernetes/kubernetes ``pkg/registry/generic/registry/store.go``
    answers ``AlreadyExists``). The chart derives names from component ids, hosts and ports, so
    two different inputs can meet: routes of component ``a-b`` for host ``c.example.com`` and of
    component ``a`` for host ``b-c.example.com`` are both named ``a-b-c-example-com``.

    Example fix: rename one of the components (or its Service), so the derived names differ:

        components: {a-b: {...}, api: {...}}
    """
    first: dict[tuple[str, str, str, str], int] = {}
    for i, obj in enumerate(objects):
        meta = mapping(obj, "metadata")
        group = str(obj.get("apiVersion", "")).rpartition("/")[0]
        key = (group, str(obj.get("kind", "")), str(meta.get("namespace", "")),
               str(meta.get("name", "")))
        if key in first:
            other = objects[first[key]]
            owner = mapping(other, "metadata", "labels").get("app.kubernetes.io/component")
            yield Violation("metadata.name", f"{key[1]} {key[3]!r} is rendered twice (also for "
                            f"component {owner!r})" if owner else
                            f"{key[1]} {key[3]!r} is rendered twice", (), i)
        else:
            first[key] = i
