"""Compose variable interpolation and ``.env`` files.

The whole syntax of the Compose specification: ``$V``, ``${V}``, ``${V:-default}``,
``${V-default}``, ``${V:?error}``, ``${V?error}``, ``${V:+replacement}``, ``${V+replacement}``,
nesting inside the default/replacement/error text (evaluated only when used), and ``$$`` for a
literal dollar. As in compose-go, a ``$`` that starts none of these (``$(date)``, ``^a$``, ``$1``)
is literal text, while ``${`` must always open a valid variable. An unset variable without a
default becomes the empty string and a warning, as ``docker compose`` does. Values are
interpolated, keys are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from svcgen.diagnostics import dotted_path, error
from svcgen.readers.compose.loader import Path_, Source, Tagged

_NAME = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(frozen=True)
class UnsetUse:
    """An unset variable that went into the string at ``path`` (dotted) of ``file``:``line``."""

    path: str
    name: str
    file: str
    line: int


class InterpolationError(Exception):
    """A ``${V:?…}`` whose variable is missing, or text that is not valid interpolation syntax."""

    def __init__(self, message: str, hint: str, variable: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.variable = variable


@dataclass
class Interpolator:
    """Substitutes variables from ``environ``; remembers which unset variables were used."""

    environ: Mapping[str, str]
    #: Whether a variable (name, value) holds secret material (svcgen.secrets.is_secret).
    is_secret: Callable[[str, str], bool] | None = None
    #: Variables set to bytes that are not UTF-8: using one is an error.
    unreadable: frozenset[str] = frozenset()
    unset: dict[str, Path_] = field(default_factory=dict)
    #: Paths of strings that now hold the value of a secret variable → those variables.
    secret_paths: dict[Path_, set[str]] = field(default_factory=dict)
    #: The interpolated strings that hold secret material.
    secret_values: set[str] = field(default_factory=set)
    #: Every string an unset variable went into, for errors about that string.
    unset_uses: list[UnsetUse] = field(default_factory=list)
    _path: Path_ = ()
    _hits: set[str] = field(default_factory=set)
    _missing: list[str] = field(default_factory=list)

    def substitute_tracked(self, text: str) -> tuple[str, set[str]]:
        """The substituted text and the secret variables whose values went into it."""
        self._hits = set()
        result = self.substitute(text)
        return result, self._hits

    def _value(self, name: str) -> str | None:
        if name in self.unreadable:
            raise InterpolationError(f"variable {name} is not UTF-8 text",
                                     f"set {name} to UTF-8 text, or unset it", variable=name)
        value = self.environ.get(name)
        if value and self.is_secret is not None and self.is_secret(name, value):
            self._hits.add(name)
        return value

    def substitute(self, text: str) -> str:
        if "$" not in text:
            return text
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            j = text.find("$", i)
            if j < 0:
                out.append(text[i:])
                break
            out.append(text[i:j])
            nxt = text[j + 1] if j + 1 < n else ""
            if nxt == "$":
                out.append("$")
                i = j + 2
            elif nxt == "{":
                end = _closing_brace(text, j + 2)
                out.append(self._braced(text[j + 2 : end]))
                i = end + 1
            else:
                match = _NAME.match(text, j + 1)
                if match is None:
                    # compose-go's pattern only knows $$, $NAME and ${…}: any other '$' is text
                    out.append("$")
                    i = j + 1
                    continue
                out.append(self._lookup(match.group()))
                i = match.end()
        return "".join(out)

    def _lookup(self, name: str) -> str:
        value = self._value(name)
        if value is None:
            self.unset.setdefault(name, self._path)
            self._missing.append(name)
            return ""
        return value

    def _braced(self, body: str) -> str:
        match = _NAME.match(body)
        if match is None:
            raise InterpolationError(
                "invalid interpolation ${…}: a variable name starts with a letter or '_'",
                "write ${NAME}, ${NAME:-default}, … or $$ for a literal dollar sign",
            )
        name, rest = match.group(), body[match.end() :]
        if not rest:
            return self._lookup(name)
        op = next((o for o in _OPERATORS if rest.startswith(o)), None)
        if op is None:
            raise InterpolationError(
                f"invalid interpolation ${{{name}…}}: unknown operator after {name}",
                "use one of :- - :? ? :+ +",
            )
        arg = rest[len(op) :]
        value = self._value(name)
        if op == ":-":
            return value if value else self.substitute(arg)
        if op == "-":
            return value if value is not None else self.substitute(arg)
        if op == ":+":
            return self.substitute(arg) if value else ""
        if op == "+":
            return self.substitute(arg) if value is not None else ""
        # ":?" and "?": required
        if (op == ":?" and not value) or (op == "?" and value is None):
            hits = set(self._hits)
            reason = self.substitute(arg) if arg else ""
            if self._hits - hits:  # the message would carry a secret variable's value
                reason = "(message withheld: it holds the value of a secret variable)"
            state = "is not set" if value is None else "is empty"
            raise InterpolationError(
                f"required variable {name} {state}" + (f": {reason}" if reason else ""),
                f"set {name} in the environment or in the .env file (or pass --env-file)",
                variable=name,
            )
        return value or ""

    def tree(self, data: Any, source: Source, path: Path_ = ()) -> Any:
        """Interpolate every string value of ``data`` (keys untouched); errors name the place."""
        if isinstance(data, str):
            self._path = path
            self._missing = []
            try:
                result, hits = self.substitute_tracked(data)
            except InterpolationError as exc:
                line, col = source.position(path)
                raise error(exc.message, file=source.file, line=line, column=col,
                            path=dotted_path(path), hint=exc.hint) from None
            if hits:
                self.secret_paths[path] = hits
                self.secret_values.add(result)
            for name in dict.fromkeys(self._missing):
                self.unset_uses.append(UnsetUse(dotted_path(path), name, source.file,
                                                source.position(path)[0]))
            return result
        if isinstance(data, dict):
            return {k: self.tree(v, source, (*path, k)) for k, v in data.items()}
        if isinstance(data, list):
            return [self.tree(v, source, (*path, i)) for i, v in enumerate(data)]
        if isinstance(data, Tagged):
            return Tagged(data.tag, self.tree(data.value, source, path))
        return data


def _closing_brace(text: str, start: int) -> int:
    depth, k, n = 1, start, len(text)
    while k < n:
        if text.startswith("$$", k):
            k += 2
            continue
        if text.startswith("${", k):
            depth += 1
            k += 2
            continue
        if text[k] == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    raise InterpolationError(
        f"invalid interpolation at character {start - 1} of the value: '${{' is never closed",
        "close the braces, or write $$ for a literal dollar sign",
    )


# --- .env and env_file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvEntry:
    name: str
    value: str | None  # None: "NAME" alone, take it from the environment
    line: int


def parse_dotenv(text: str, file: str,
                 substitute: Callable[[str, int], str] | None = None) -> Iterator[EnvEntry]:
    """Entries of a dotenv file: ``KEY=VALUE``, ``export KEY=VALUE``, ``KEY``, comments, quotes.

    Single-quoted values are literal; double-quoted ones understand ``\\n``, ``\\t``, ``\\"`` and
    ``\\\\`` and may span lines; unquoted ones end at `` #``. Double-quoted and unquoted values are
    interpolated with ``substitute`` when given. Entries are yielded as they are read, so a
    value can refer to the keys above it.
    """
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        raw = lines[i]
        line_no = i + 1
        i += 1
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("export "):
            stripped = stripped[len("export ") :].lstrip()
        name, sep, rest = stripped.partition("=")
        name = name.strip()
        if not re.fullmatch(r"[^\s=#]+", name or " "):
            raise error(f"{file}:{line_no}: not a KEY=VALUE line", file=file, line=line_no,
                        column=1, hint="write KEY=VALUE, or start the line with # for a comment")
        if not sep:
            yield EnvEntry(name, None, line_no)
            continue
        value = rest.lstrip()
        if value[:1] in ("'", '"'):
            quote = value[0]
            body = value[1:]
            while True:
                end = _unescaped(body, quote) if quote == '"' else body.find(quote)
                if end >= 0:
                    break
                if i >= len(lines):
                    raise error(f"unterminated {quote} quote in {file}", file=file,
                                line=line_no, column=1, hint=f"close the value with {quote}")
                body += "\n" + lines[i]
                i += 1
            content = body[:end]
            if quote == '"':
                content = _unescape(content)
                if substitute is not None:
                    content = substitute(content, line_no)
        else:
            hash_at = value.find(" #")
            content = (value[:hash_at] if hash_at >= 0 else value).strip()
            if substitute is not None:
                content = substitute(content, line_no)
        yield EnvEntry(name, content, line_no)


def _unescaped(body: str, quote: str) -> int:
    k = 0
    while k < len(body):
        if body[k] == "\\":
            k += 2
            continue
        if body[k] == quote:
            return k
        k += 1
    return -1


def _unescape(text: str) -> str:
    mapping = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    out: list[str] = []
    k = 0
    while k < len(text):
        c = text[k]
        if c == "\\" and k + 1 < len(text) and text[k + 1] in mapping:
            out.append(mapping[text[k + 1]])
            k += 2
            continue
        out.append(c)
        k += 1
    return "".join(out)


def load_dotenv(file: str, text: str, environ: Mapping[str, str]) -> dict[str, str]:
    """Variables of a dotenv file; values may refer to the environment and to earlier keys."""
    merged: dict[str, str] = dict(environ)
    interp = Interpolator(merged)
    result: dict[str, str] = {}

    def substitute(value: str, line: int) -> str:
        try:
            return interp.substitute(value)
        except InterpolationError as exc:
            raise error(exc.message, file=file, line=line, column=1, hint=exc.hint) from None

    for entry in parse_dotenv(text, file, substitute):
        if entry.value is None:
            if entry.name in environ:
                result[entry.name] = environ[entry.name]
            continue
        result[entry.name] = entry.value
        merged.setdefault(entry.name, entry.value)
    return result
