"""YAML in and out: positions for messages, guards against hostile input, atomic writes.

Loading uses ruamel's round-trip loader, so each mapping and sequence remembers where its keys and
items were written; :class:`Document` answers "where is ``components.api.replicas``?" with a line
and column. Writing keeps comments and key order and replaces the target file atomically.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import stat
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MantissaNoDotYAML1_1Warning, MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from svcgen.diagnostics import SvcgenError, error

#: Inputs larger than this are refused before parsing: real service definitions are kilobytes.
MAX_BYTES = 16 * 1024 * 1024
#: Nodes visited while resolving aliases; stops "billion laughs" documents from exhausting memory.
MAX_NODES = 2_000_000

PathPart = str | int


def round_trip_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


_INT = "tag:yaml.org,2002:int"
_GO_OCTAL = re.compile(r"^[-+]?0o[0-7_]+$")


class _GoYamlV2Resolver(VersionedResolver):
    """YAML 1.1 plain scalars, plus ``0o17``, which go-yaml v2 reads with Go's number parser."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0] and _GO_OCTAL.match(value):
            return Tag(suffix=_INT)
        return super().resolve(kind, value, implicit)


class _GoYamlV2Constructor(RoundTripConstructor):
    """go-yaml v2 has no base-60 numbers: ``10:30`` stays a string (YAML 1.1 would say 630)."""

    def construct_yaml_int(self, node: Any) -> Any:
        if ":" in node.value:
            return self.construct_scalar(node)
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: Any) -> Any:
        if ":" in node.value:
            return self.construct_scalar(node)
        return super().construct_yaml_float(node)


_GoYamlV2Constructor.add_constructor(_INT, _GoYamlV2Constructor.construct_yaml_int)
_GoYamlV2Constructor.add_constructor(
    "tag:yaml.org,2002:float", _GoYamlV2Constructor.construct_yaml_float
)


def go_yaml_v2() -> YAML:
    """A round-trip loader reading plain scalars as go-yaml v2 does (Helm's and DevSpace's YAML):
    YAML 1.1 booleans (``yes``, ``on``, ``y``), octal ``0400`` = 256, hex, ``_`` in numbers."""
    yaml = round_trip_yaml()
    yaml.Resolver = _GoYamlV2Resolver
    yaml.Constructor = _GoYamlV2Constructor
    yaml.version = (1, 1)
    return yaml


@dataclass
class Document:
    """One YAML document: its round-trip tree and where it came from."""

    file: str
    tree: Any
    index: int = 0

    def data(self) -> Any:
        """The document as plain dicts, lists and scalars (aliases resolved, bounded)."""
        return to_plain(self.tree, self.file)

    def position(self, path: Sequence[PathPart], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of its key with ``key=True``.

        When the path leads outside what was written (a default, a missing key), the position of
        the deepest part that exists is returned; the start of the document when not even the
        first part exists.
        """
        node = self.tree
        # A path missing from the start (a required key) is placed at the document itself.
        lc = getattr(node, "lc", None)
        line, col = (getattr(lc, "line", None), getattr(lc, "col", None))
        best = (line + 1, col + 1) if isinstance(line, int) and isinstance(col, int) else (0, 0)
        for i, part in enumerate(path):
            last = i == len(path) - 1
            if isinstance(node, CommentedMap) and part in node:
                line, col = node.lc.key(part) if (key and last) else node.lc.value(part)
                key_line, key_col = node.lc.key(part)
                best = (
                    (line + 1, col + 1)
                    if (key and last) or _is_scalar(node[part])
                    else (
                        key_line + 1,
                        key_col + 1,
                    )
                )
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
                line, col = node.lc.item(part)
                best = (line + 1, col + 1)
                node = node[part]
            else:
                break
        return best

    def contains(self, path: Sequence[PathPart]) -> bool:
        node = self.tree
        for part in path:
            in_map = isinstance(node, CommentedMap) and part in node
            in_seq = (
                isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node)
            )
            if not (in_map or in_seq):
                return False
            node = node[part]
        return True


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, (CommentedMap, CommentedSeq))


def read_text(path: str | Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a text file or stdin (``-``), with the errors users can cause turned into ours.

    At most ``max_bytes`` are read whatever the file is: a device (``/dev/zero``), a FIFO or a
    pipe is read up to the limit and refused beyond it, never to its end.
    """
    name = str(path)
    if name == "-":
        import sys

        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text stream put in place of stdin (tests, embedding)
            text = sys.stdin.read(max_bytes + 1)
            if len(text) > max_bytes:
                raise _too_large(name, max_bytes)
            return text
        data = _read_bounded(name, stream, max_bytes)
    else:
        try:
            if Path(path).is_dir():
                raise error(f"{name} is a directory, not a file", file=name, exit_code=2,
                            hint="name a YAML file")
            with open(path, "rb") as handle:
                data = _read_bounded(name, handle, max_bytes)
        except FileNotFoundError:
            raise error(
                f"{name}: no such file", file=name, exit_code=2, hint="check the path"
            ) from None
        except PermissionError:
            raise error(
                f"{name}: permission denied", file=name, exit_code=2, hint="make the file readable"
            ) from None
        except OSError as exc:
            raise error(f"{name}: {exc.strerror or exc}", file=name, exit_code=2) from None
    return decode_utf8(name, data)


def _read_bounded(name: str, handle: Any, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size <= max_bytes:
        chunk = handle.read(min(1 << 20, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > max_bytes:
        raise _too_large(name, max_bytes)
    return b"".join(chunks)


def _too_large(name: str, max_bytes: int) -> SvcgenError:
    return error(
        f"{name} is larger than {max_bytes // 1048576 or max_bytes} "
        f"{'MiB' if max_bytes >= 1048576 else 'bytes'}; inputs are limited to that",
        file=name,
        hint="split the file, or check that it is the file you meant",
    )


def decode_utf8(name: str, data: bytes) -> str:
    """UTF-8 text; undecodable bytes are an error at their line and column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(
            f"{name} is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            file=name,
            line=line,
            column=column,
            hint="save the file as UTF-8",
        ) from None


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset into ``text``."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def syntax_error(name: str, text: str, exc: Exception) -> SvcgenError:
    """A YAML parser's exception (PyYAML's or ruamel's) → an error at its line and column."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    position = getattr(exc, "position", None)
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
        problem = str(getattr(exc, "problem", None) or getattr(exc, "context", None)
                      or "invalid YAML").strip()
    elif isinstance(position, int):  # a reader error: a character YAML does not allow
        line, col = line_column(text, position)
        character = getattr(exc, "character", None)
        shown = f"U+{character:04X}" if isinstance(character, int) else (
            f"U+{ord(character):04X}" if isinstance(character, str) and character else "")
        problem = f"the character {shown} is not allowed in YAML".replace("  ", " ")
    else:
        return error(f"invalid YAML: {exc}", file=name, hint="fix the YAML syntax")
    if "duplicate key" in str(exc):
        problem = problem.split("\n")[0]
        hint = "remove or rename one of the two keys"
    elif mark is None:
        hint = "remove the character, or write it as an escape in a double-quoted string"
    else:
        hint = "fix the YAML syntax at this position"
    return error(f"invalid YAML: {problem}", file=name, line=line, column=col, hint=hint)


def bad_scalar(name: str, mark: Any, text: str, tag: str | None, exc: Exception) -> SvcgenError:
    """A scalar its tag cannot make (``!!bool maybe``, a 5000-digit number) → a located error."""
    shown = text if len(text) <= 40 else f"{text[:20]}…({len(text)} characters)"
    kind = (tag or "").rsplit(":", 1)[-1] or "value"
    reason = "it has too many digits" if "digits" in str(exc) else f"it is not a valid {kind}"
    return error(f"invalid YAML value {shown!r}: {reason}", file=name, line=mark.line + 1,
                 column=mark.column + 1, hint="quote the value, or correct its tag")


def _unconstructible(name: str, text: str, exc: Exception) -> SvcgenError:
    import yaml as pyyaml

    loader: Any = pyyaml.SafeLoader(text)
    try:
        while loader.check_event():
            event: Any = loader.get_event()
            if not isinstance(event, pyyaml.ScalarEvent):
                continue
            tag = event.tag if event.tag not in (None, "!") else loader.resolve(
                pyyaml.ScalarNode, event.value, event.implicit)
            constructor = loader.yaml_constructors.get(tag)
            if constructor is None or (event.tag is None and not event.implicit[0]):
                continue
            node = pyyaml.ScalarNode(tag, event.value)
            try:
                constructor(loader, node)
            except (ValueError, LookupError, TypeError, OverflowError, pyyaml.YAMLError) as bad:
                return bad_scalar(name, event.start_mark, event.value, tag, bad)
    except pyyaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return error(f"invalid YAML: a value cannot be read ({type(exc).__name__})", file=name,
                 hint="quote unusual values, and check their tags")


#: The tags a YAML tag may name in our inputs: the JSON-compatible core (and timestamp and merge,
#: which plain scalars and ``<<`` resolve to). ``!!binary``, ``!!set``, ``!!omap``, ``!!python/…``
#: and local ``!tags`` build values no input format has (bytes, sets, objects).
SUPPORTED_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in (
    "str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge"))


def refuse_unsupported_tags(name: str, text: str, local: frozenset[str] = frozenset(),
                            hint: str = "") -> None:
    """Refuse, at its line and column, the first YAML tag the input format does not support
    (``local``: the ``!tags`` it does). Every loader calls this before building values."""
    if "!" not in text:  # no tag at all: nothing to scan
        return
    import yaml as pyyaml

    loader_class: Any = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    try:
        for event in pyyaml.parse(text, Loader=loader_class):
            tag = getattr(event, "tag", None)
            if tag is None or tag == "!" or tag in SUPPORTED_TAGS or tag in local:
                continue
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            mark: Any = event.start_mark
            raise error(f"the YAML tag {shown} is not supported in this file",
                        file=name, line=mark.line + 1, column=mark.column + 1,
                        hint=hint or "remove the tag; quote the value if it is text")
    except pyyaml.YAMLError:
        return  # the loader reports the syntax error with its own message


def load_documents(
    path: str | Path, text: str | None = None, *, go_yaml: bool = False
) -> list[Document]:
    """Every document of a YAML file (``---`` separated), with positions. Empty ones are skipped.

    Plain scalars follow YAML 1.2, or go-yaml v2 (:func:`go_yaml_v2`) when ``go_yaml``."""
    name = str(path)
    if text is None:
        text = read_text(path)
    refuse_unsupported_tags(name, text)
    yaml = go_yaml_v2() if go_yaml else round_trip_yaml()
    yaml.allow_duplicate_keys = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
            trees = list(yaml.load_all(text))
    except (MarkedYAMLError, YAMLError) as exc:
        raise syntax_error(name, text, exc) from None
    except (ValueError, LookupError, TypeError, OverflowError) as exc:
        # A scalar its tag cannot make (``!!bool maybe``) or a number with too many digits:
        # ruamel does not say where, so find the first such scalar.
        raise _unconstructible(name, text, exc) from None
    except RecursionError:
        raise error("YAML nesting is too deep", file=name, hint="flatten the document") from None
    return [Document(name, tree, i) for i, tree in enumerate(trees) if tree is not None]


def load_document(
    path: str | Path, text: str | None = None, *, go_yaml: bool = False
) -> Document:
    """The single document of a YAML file; an empty file is an empty mapping."""
    docs = load_documents(path, text, go_yaml=go_yaml)
    if not docs:
        return Document(str(path), CommentedMap())
    if len(docs) > 1:
        line = _first_line(docs[1].tree)
        raise error(
            f"{path} holds {len(docs)} YAML documents; one was expected",
            file=str(path),
            line=line,
            column=1 if line else 0,
            hint="split the documents into separate files",
        )
    return docs[0]


def _first_line(tree: Any) -> int:
    lc = getattr(tree, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 0


def to_plain(tree: Any, file: str = "") -> Any:
    """Round-trip tree → plain Python, resolving aliases with a bound on the nodes visited."""
    budget = [MAX_NODES]

    def walk(node: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise error(
                f"{file or 'the document'} expands to more than {MAX_NODES:,} values "
                "(an alias bomb?)",
                file=file,
                hint="reduce the use of YAML aliases",
            )
        if depth > 200:
            raise error(
                "YAML nesting is deeper than 200 levels", file=file, hint="flatten the document"
            )
        if isinstance(node, dict):
            return {_scalar(k): walk(v, depth + 1) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, depth + 1) for v in node]
        return _scalar(node)

    return walk(tree, 0)


def _scalar(value: Any) -> Any:
    """ruamel scalar subclasses (ScalarString, ScalarFloat, …) → the builtin types."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value


def dump(data: Any) -> str:
    """Serialise a tree (round-trip or plain) to YAML text, keeping comments where present."""
    buf = io.StringIO()
    round_trip_yaml().dump(data, buf)
    return buf.getvalue()


def output_target(path: str | Path) -> Path:
    """The file that writing to ``path`` replaces: a symlink's target, so the link stays.

    Refused (usage errors, exit 2): a directory, a device, a FIFO or a socket (replacing one with
    a regular file would remove the device node) and a file without write permission (the user
    protected it on purpose).
    """
    name = str(path)
    target = Path(os.path.realpath(path))
    try:
        st = target.stat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise error(f"cannot write {name}: {exc.strerror or exc}", file=name, exit_code=2) from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"cannot write {name}: it is a directory", file=name, exit_code=2,
                    hint="name a file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"cannot write {name}: it is not a regular file (a device, FIFO or socket)",
                    file=name, exit_code=2,
                    hint="name a regular file; without -o the values go to standard output")
    writable = (st.st_mode & stat.S_IWUSR) if st.st_uid == os.geteuid() else os.access(
        target, os.W_OK)
    if not writable:
        raise error(f"cannot write {name}: the file is read-only", file=name, exit_code=2,
                    hint="make it writable (chmod u+w) if it should be replaced")
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: str | Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a failure leaves the old file untouched.

    Through a symlink the link's target is replaced and the link kept; an existing file keeps
    its mode, a new one gets the mode the umask allows (as ``open`` would give it).
    """
    target = output_target(path)
    directory = target.parent
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise error(
            f"cannot write {path}: {exc.strerror or exc}",
            file=str(path),
            exit_code=2,
            hint="check that the directory exists and is writable",
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise error(f"cannot write {path}: {exc.strerror or exc}", file=str(path),
                    exit_code=2, hint="free some space, or write elsewhere") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def iter_paths(data: Any, prefix: tuple[PathPart, ...] = ()) -> Iterator[tuple[PathPart, ...]]:
    """Every path in a plain tree, parents before children."""
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from iter_paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from iter_paths(v, (*prefix, i))


# --- the fast reading of a file about to be updated in place ----------------------------------


class NotPlain(Exception):
    """The fast reading cannot stand for the round-trip loader's on this text: an alias or merge
    key, a duplicate or non-string key, an explicit tag, or a plain scalar whose YAML 1.2 reading
    is not one of the simple forms below."""


_TAG = "tag:yaml.org,2002:"
_PLAIN_TAGS = frozenset(f"{_TAG}{t}" for t in ("str", "int", "float", "bool", "null", "map",
                                               "seq"))
_NULL_12 = frozenset(("", "~", "null", "Null", "NULL"))
_BOOL_12 = frozenset(("true", "True", "TRUE", "false", "False", "FALSE"))
_INT_12 = re.compile(r"^-?(?:0|[1-9][0-9]*)$")
_FLOAT_12 = re.compile(r"^-?(?:0|[1-9][0-9]*)\.[0-9]+$")
#: Plain scalars YAML 1.2 may read as something other than text (numbers in every notation,
#: infinities, the merge and value keys): only the simple forms above are read fast.
_MAYBE_NOT_TEXT = re.compile(r"^(?:[-+]?\.?[0-9]|[-+]?\.(?:inf|Inf|INF)$|\.(?:nan|NaN|NAN)$|"
                             r"<<$|=$)")


class _Plain12Resolver(pyyaml.resolver.BaseResolver):
    """The YAML 1.2 core schema the round-trip loader applies, for the forms a values file uses."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is pyyaml.ScalarNode and implicit[0]:
            if value in _NULL_12:
                return f"{_TAG}null"
            if value in _BOOL_12:
                return f"{_TAG}bool"
            if _INT_12.match(value):
                return f"{_TAG}int"
            if _FLOAT_12.match(value):
                return f"{_TAG}float"
            if _MAYBE_NOT_TEXT.match(value):
                raise NotPlain(value)
            return f"{_TAG}str"
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


class _Plain12Constructor(pyyaml.constructor.SafeConstructor):
    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node in self.constructed_objects or node.tag not in _PLAIN_TAGS:
            raise NotPlain(node.tag)  # an alias (the node seen before) or a tag of its own
        return super().construct_object(node, deep)

    def flatten_mapping(self, node: Any) -> None:
        if any(key.tag == f"{_TAG}merge" for key, _ in node.value):
            raise NotPlain("<<")

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        mapping = super().construct_mapping(node, deep)
        if len(mapping) != len(node.value) or not all(isinstance(k, str) for k in mapping):
            raise NotPlain("key")
        return mapping


_CParser: Any = getattr(getattr(pyyaml, "cyaml", None), "CParser", None)


def plain_outline(text: str) -> tuple[Any, Any]:
    """(plain data, composed node tree) of a one-document YAML text, read with libyaml and the
    YAML 1.2 scalars of :func:`load_document`, ten times faster than it; the nodes carry the
    start of every key. Raises :class:`NotPlain` where only the round-trip loader reads the text
    as it must be read (and for every syntax error, which that loader then reports)."""
    if _CParser is None:  # pragma: no cover - PyYAML built without libyaml
        raise NotPlain("libyaml")

    class Loader(_CParser, _Plain12Constructor, _Plain12Resolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            _Plain12Constructor.__init__(self)
            _Plain12Resolver.__init__(self)

    loader = Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except (pyyaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise NotPlain(type(exc).__name__) from None
    finally:
        loader.dispose()
    return data, node
