"""DevSpace config variables, resolved the way DevSpace resolves them — without running anything.

DevSpace replaces ``${NAME}`` in the config before it reads it (loft-sh/devspace,
``pkg/devspace/config/loader/variable``): ``--var NAME=VALUE`` first, then the predefined runtime
variables, then the definition in ``vars`` by its ``source``, and for a name without a definition
the environment. ``$${NAME}`` is a literal ``${NAME}``, ``$!{NAME}`` forces a string, and a whole
value ``${NAME}`` takes the variable's type (``replicas: ${N}`` is a number).

Where DevSpace would ask a question, run a program or read the cluster, svcgen has no answer: the
value must come from ``--var``, the environment or the definition, else the variable is an error
at the place it is used. Commands — ``vars.*.command``/``commands``, ``source: command``, a
``$(…)`` variable or config expression — are never run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from svcgen.diagnostics import SvcgenError
from svcgen.readers._common import Node, Report
from svcgen.readers.base import ReadOptions

#: DevSpace's variable syntax (pkg/util/vars): ``$${…}`` escapes, ``$!{…}`` forces a string.
VAR_RE = re.compile(r"\$+!?\{[a-zA-Z0-9._-]+\}")
#: A config expression (``$(…)``, ``$#(…)``, ``$!(…)``): a shell command whose output DevSpace
#: puts in place of the value; ``$$(…)`` is the literal text.
EXPRESSION_RE = re.compile(r"^\$\$?#?!?\((.+)\)$", re.MULTILINE | re.DOTALL)
RUNTIME_IMAGE_RE = re.compile(
    r"^\$\{runtime\.images\.([^.}]+)\.image\}(?::\$\{runtime\.images\.([^.}]+)\.tag\})?$"
)

#: Config versions DevSpace reads (it upgrades each to the newest), oldest first.
VERSIONS = (
    "v1beta1", "v1beta2", "v1beta3", "v1beta4", "v1beta5", "v1beta6", "v1beta7", "v1beta8",
    "v1beta9", "v1beta10", "v1beta11", "v2beta1",
)
_PROMPT_KEYS = {"question", "options", "password", "validationPattern", "validationMessage"}


def _version_at_least(version: str, oldest: str) -> bool:
    return VERSIONS.index(version) >= VERSIONS.index(oldest)


def definition_keys(version: str) -> set[str]:
    """The keys a variable definition has in ``version`` (DevSpace refuses others)."""
    keys = {"name", "default", "source", *_PROMPT_KEYS}
    if _version_at_least(version, "v1beta9"):
        keys |= {"noCache", "command", "args", "commands"}
    if _version_at_least(version, "v1beta10"):
        keys.add("value")
    if _version_at_least(version, "v1beta11"):
        keys.add("alwaysResolve")
    return keys


def sources(version: str) -> tuple[str, ...]:
    """``source`` values of ``version``: ``none`` came with v1beta6, ``command`` with v1beta9."""
    out = ["all", "env", "input"]
    if _version_at_least(version, "v1beta6"):
        out.append("none")
    if _version_at_least(version, "v1beta9"):
        out.append("command")
    return tuple(out)


#: Old spellings of the predefined variables (DevSpace keeps them working).
ALIASES = {
    "devspace.name": "DEVSPACE_NAME",
    "devspace.version": "DEVSPACE_VERSION",
    "devspace.random": "DEVSPACE_RANDOM",
    "devspace.profile": "DEVSPACE_PROFILE",
    "devspace.userHome": "DEVSPACE_USER_HOME",
    "devspace.timestamp": "DEVSPACE_TIMESTAMP",
    "devspace.git.branch": "DEVSPACE_GIT_BRANCH",
    "devspace.git.commit": "DEVSPACE_GIT_COMMIT",
    "devspace.context": "DEVSPACE_CONTEXT",
    "devspace.namespace": "DEVSPACE_NAMESPACE",
    "DEVSPACE_SPACE": "DEVSPACE_NAMESPACE",
}
#: Predefined variables whose value belongs to one run of DevSpace on one machine: values must
#: come out the same on every run, so these need ``--var``.
RUN_VALUES = {
    "DEVSPACE_RANDOM": "a random string DevSpace draws on each run",
    "DEVSPACE_TIMESTAMP": "the time DevSpace runs",
    "DEVSPACE_VERSION": "the version of the DevSpace binary that runs",
    "DEVSPACE_GIT_BRANCH": "the branch DevSpace asks git for",
    "DEVSPACE_GIT_COMMIT": "the commit DevSpace asks git for",
    "DEVSPACE_USER_HOME": "the home directory of whoever runs DevSpace",
    "DEVSPACE_TMPDIR": "a temporary directory of the DevSpace run",
    "DEVSPACE_EXECUTABLE": "the path of the DevSpace binary",
    "DEVSPACE_KUBECTL_EXECUTABLE": "the path of the kubectl DevSpace downloads",
    "DEVSPACE_CONTEXT": "the current kube context",
}
PREDEFINED = {*RUN_VALUES, "DEVSPACE_NAME", "DEVSPACE_NAMESPACE", "DEVSPACE_PROFILE",
              "DEVSPACE_PROFILES"}


def convert_string(value: str) -> Any:
    """A value from the environment or ``--var`` as DevSpace types it: an integer, a boolean
    (Go's strconv.ParseBool spellings) or the string."""
    if re.fullmatch(r"[+-]?[0-9]+", value):
        return int(value)
    if value in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if value in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return value


def go_text(value: Any) -> str:
    """A value written into a longer string, as Go's ``%v`` writes it."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


@dataclass
class Definition:
    """One entry of ``vars``."""

    name: str
    node: Node
    source: str  # "" (all), all, env, input, none, command
    default: Any  # value or default; None when there is none
    #: Where the value would come from a program: the key that names it (command, commands,
    #: source, or the ``$(…)`` string), else None.
    command: Node | None
    always: bool
    password: bool
    options: list[str]


class _Unresolved(Exception):
    """A variable without a value: why, and what to pass."""

    def __init__(self, reason: str, hint: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class Variables:
    """The ``vars`` of one ``devspace.yaml`` and the values they take for this conversion."""

    def __init__(self, root: Node, version: str, options: ReadOptions, report: Report) -> None:
        self.root = root
        self.version = version
        self.options = options
        self.report = report
        self.environ: Mapping[str, str] = (
            options.environ if options.environ is not None else os.environ
        )
        self.definitions: dict[str, Definition] = {}
        self.values: dict[str, Any] = {}
        self.resolving: list[str] = []
        self.read_definitions(root.get("vars"))

    # --- definitions -----------------------------------------------------------------------------

    def read_definitions(self, node: Node) -> None:
        if node.value is None:
            return
        if self.version == "v2beta1":
            for name, child in node.items():
                self.add(name, child)
            return
        if not isinstance(node.value, list):
            raise node.error(f"vars of config {self.version} is a list of definitions",
                             hint="write vars: [{name: NAME, default: …}]")
        for item in node.elements():
            item.mapping(optional=False)
            self.add(item.get("name").required_string("the variable name"), item)

    def add(self, name: str, node: Node) -> None:
        name = name.strip()
        if name in self.definitions:
            raise node.error(f"variable {name} is defined twice", hint="keep one definition")
        always_default = self.version == "v2beta1"  # older configs resolved only what is used
        if not isinstance(node.value, dict):
            # v2beta1 shorthand: NAME: value, or NAME: $(command)
            text = node.value
            is_command = isinstance(text, str) and text.startswith("$(") and text.endswith(")")
            self.definitions[name] = Definition(
                name, node, "none", None if is_command else text, node if is_command else None,
                always_default, False, [])
            return
        node.check_keys(definition_keys(self.version), f"a variable definition of {self.version}")
        source = node.get("source").string("") or ""
        if source and source not in sources(self.version):
            raise node.get("source").error(
                f"variable source {source!r} is not one of {', '.join(sources(self.version))}",
                hint="choose one of those")
        default = node.get("default").value
        if node.has("value"):
            if default is not None:
                raise node.get("value").error(
                    f"variable {name} has both value and default",
                    hint="keep one: value is a shortcut for source: none with that default")
            default, source = node.get("value").value, "none"
        if isinstance(default, (dict, list)):
            raise node.get("value" if node.has("value") else "default").error(
                f"the value of variable {name} must be a string, number or boolean",
                hint="write a scalar")
        command = next((node.get(k) for k in ("command", "commands") if node.get(k).value), None)
        if source == "command" and command is None:
            command = node.get("source")
        always = node.get("alwaysResolve").boolean(always_default)
        self.definitions[name] = Definition(
            name, node, source, default, command, bool(always),
            bool(node.get("password").boolean(False)), node.get("options").string_list())

    # --- substitution ----------------------------------------------------------------------------

    def fill(self, node: Node) -> None:
        """Replace the variables in every string under ``node``, in place (positions stay)."""
        value = node.value
        if isinstance(value, dict):
            for key in value:
                child = node.get(key)
                if isinstance(child.value, str):
                    value[key] = self.string(child)
                else:
                    self.fill(child)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                child = Node(node.doc, (*node.path, i), item)
                if isinstance(item, str):
                    value[i] = self.string(child)
                else:
                    self.fill(child)

    def fill_key(self, parent: Node, key: str) -> None:
        """Replace the variables in ``parent[key]`` (a string or anything holding strings)."""
        if not isinstance(parent.value, dict) or key not in parent.value:
            return
        child = parent.get(key)
        if isinstance(child.value, str):
            parent.value[key] = self.string(child)
        else:
            self.fill(child)

    def string(self, node: Node) -> Any:
        text: str = node.value
        if "$" not in text:
            return text
        expression = EXPRESSION_RE.search(text)
        if expression:
            if text.startswith("$$"):
                return text[1:]
            raise node.error(
                f"{text!r} is a config expression: DevSpace runs `{expression.group(1).strip()}` "
                "in a shell and uses its output; svcgen never runs the programs a config names",
                hint="write the command's output here, or use a variable ${NAME} and pass "
                "--var NAME=<value>")
        if RUNTIME_IMAGE_RE.match(text) and node.path and node.path[-1] == "image":
            return text  # the image DevSpace builds: the image section says which (reader)
        matches = list(VAR_RE.finditer(text))
        if not matches:
            return text
        if len(matches) == 1 and matches[0].group() == text and not text.startswith(("$$", "$!")):
            return self.use(text[2:-1], node)
        out: list[str] = []
        last = 0
        for m in matches:
            out.append(text[last:m.start()])
            token = m.group()
            if token.startswith("$$"):
                out.append(token[1:])
            else:
                out.append(go_text(self.use(token[3:-1] if token[1] == "!" else token[2:-1],
                                            node)))
            last = m.end()
        out.append(text[last:])
        return "".join(out)

    def use(self, name: str, where: Node) -> Any:
        """The value of ``name`` used at ``where``; an error there when it has none."""
        try:
            return self.resolve(name.strip())
        except _Unresolved as exc:
            raise where.error(f"${{{name}}} has no value: {exc.reason}", hint=exc.hint) from None

    # --- resolution ------------------------------------------------------------------------------

    def resolve(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if name in self.resolving:
            chain = " → ".join([*self.resolving[self.resolving.index(name):], name])
            raise _Unresolved(f"its definition refers to itself ({chain})",
                              f"pass --var {name}=<value>")
        self.resolving.append(name)
        try:
            value, origin = self.lookup(name)
        finally:
            self.resolving.pop()
        self.values[name] = value
        self.report.choice(self.definitions[name].node if name in self.definitions else self.root,
                           f"${{{name}}}: {origin}")
        return value

    def lookup(self, name: str) -> tuple[Any, str]:
        """(value, where it came from, without the value: it may be secret)."""
        given = self.options.variables
        if name in given:
            return convert_string(given[name]), "from --var"
        if name.startswith("runtime."):
            raise _Unresolved(
                "a runtime variable, known only while DevSpace deploys (a built image, a hook's "
                "output)", "write the value in its place")
        canonical = ALIASES.get(name, name)
        if canonical in PREDEFINED:
            return self.predefined(name, canonical)
        definition = self.definitions.get(name)
        env = self.environ.get(name, "")
        if definition is None:
            if env:
                return convert_string(env), "from the environment"
            raise _Unresolved("no vars entry defines it and the environment does not set it "
                              "(DevSpace would ask for it)",
                              f"pass --var {name}=<value>, or set {name} in the environment")
        return self.defined(definition, env)

    def predefined(self, name: str, canonical: str) -> tuple[Any, str]:
        if canonical == "DEVSPACE_NAMESPACE":
            if self.options.project:
                return self.options.project, "the namespace given by --project"
            raise _Unresolved("DevSpace takes the namespace from the kube context",
                              f"pass --project NAMESPACE (the release namespace) or --var "
                              f"{name}=<namespace>")
        if canonical == "DEVSPACE_NAME":
            config_name = self.root.get("name").string()
            if config_name:
                return config_name, "the config's name"
            raise _Unresolved("the config has no name", f"pass --var {name}=<name>")
        if canonical == "DEVSPACE_PROFILE":
            profiles = self.options.profiles
            return (profiles[-1] if profiles else ""), "the last --profile (empty without one)"
        if canonical == "DEVSPACE_PROFILES":
            return " ".join(self.options.profiles), "the --profile options (empty without one)"
        raise _Unresolved(f"it is {RUN_VALUES[canonical]}, which differs from run to run",
                          f"pass --var {name}=<value> to fix it")

    def defined(self, d: Definition, env: str) -> tuple[Any, str]:
        where = f"vars.{d.name} ({d.node.file}:{d.node.position(key=True)[0]})"
        if d.command is not None:
            raise _Unresolved(
                f"{where} takes its value from a command, which DevSpace runs and svcgen "
                "never does", f"pass --var {d.name}=<the command's output>, or give "
                f"vars.{d.name} a value")
        if d.source == "env":
            if env:
                return convert_string(env), "from the environment (source: env)"
            if d.default is not None:
                return self.default(d), "its default (source: env, not set in the environment)"
            raise _Unresolved(f"{where} reads the environment (source: env), which does not "
                              "set it, and has no default",
                              f"set {d.name} in the environment or pass --var {d.name}=<value>")
        if d.source == "none":
            if d.default is not None:
                return self.default(d), "its value" if d.node.has("value") or not isinstance(
                    d.node.value, dict) else "its default (source: none)"
            raise _Unresolved(f"{where} has source: none and no default",
                              f"give vars.{d.name} a default, or pass --var {d.name}=<value>")
        # all, input or no source: the environment (not for input), else the question.
        if env and d.source != "input":
            return self.typed(env, d), "from the environment"
        if d.default is not None:
            return self.default(d), (
                f"its default — DevSpace asks for it (source: {d.source or 'all'}) with that "
                "answer offered")
        choices = f" (one of {', '.join(d.options)})" if d.options else ""
        raise _Unresolved(
            f"{where} is a question DevSpace asks{choices}, and it has no default",
            f"pass --var {d.name}=<value>" + ("" if d.source == "input" else
                                              f", or set {d.name} in the environment"))

    def default(self, d: Definition) -> Any:
        """The default, with the variables it names resolved (DevSpace resolves them first)."""
        if isinstance(d.default, str):
            holder = d.node.get("value") if d.node.has("value") else (
                d.node.get("default") if isinstance(d.node.value, dict) else d.node)
            return self.string(Node(holder.doc, holder.path, d.default))
        return d.default

    def typed(self, text: str, d: Definition) -> Any:
        """A value from the environment typed like the default (DevSpace's valueByType)."""
        if d.default is None:
            return convert_string(text)
        if isinstance(d.default, bool):
            value = convert_string(text)
            if isinstance(value, bool):
                return value
            raise _Unresolved(f"the environment sets {d.name} to something that is not a "
                              "boolean, as its default is", f"set {d.name} to true or false")
        if isinstance(d.default, int):
            if re.fullmatch(r"[+-]?[0-9]+", text):
                return int(text)
            raise _Unresolved(f"the environment sets {d.name} to something that is not a "
                              "number, as its default is", f"set {d.name} to a number")
        return text

    # --- what is never used ----------------------------------------------------------------------

    def finish(self) -> None:
        """Variables DevSpace resolves on every run (``alwaysResolve``) though nothing converted
        uses them: DevSpace would fail, ask or run a command for them; svcgen reports it."""
        for name, d in self.definitions.items():
            if not d.always or name in self.values:
                continue
            try:
                self.resolve(name)
            except _Unresolved as exc:
                self.report.not_converted(
                    d.node, f"DevSpace resolves ${{{name}}} on every run (alwaysResolve) and "
                    f"nothing converted uses it; it has no value here: {exc.reason}",
                    hint=exc.hint)
            except SvcgenError as exc:  # e.g. a config expression inside its default
                self.report.not_converted(d.node, exc.diagnostics[0].message,
                                          hint=exc.diagnostics[0].hint)
