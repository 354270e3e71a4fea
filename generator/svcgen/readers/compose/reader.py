"""The Compose reader: files → interpolated → merged → checked → components."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from svcgen.diagnostics import Diagnostic, SvcgenError, dotted_path
from svcgen.readers._common import (
    ACTION,
    CHOICE,
    CONVERTED,
    NOT_CONVERTED,
    Location,
    Owned,
    Report,
    component_id,
    dns_label,
    is_secret,
    ordered,
    validate,
)
from svcgen.readers.base import ReadOptions, ReadResult
from svcgen.readers.compose import mapping, network, spec
from svcgen.readers.compose.interpolation import Interpolator, UnsetUse, load_dotenv
from svcgen.readers.compose.loader import Path_, Source, SourceDocument, load_sources
from svcgen.readers.compose.merge import merge_documents, merge_values
from svcgen.readers.compose.paths import rebase_service, resolve
from svcgen.yamlio import Document, read_text

TOP_LEVEL = {"version", "name", "include", "services", "networks", "volumes", "secrets",
             "configs", "models"}
#: The top-level keys that hold definitions (``version`` and ``name`` alone say nothing).
SECTIONS = TOP_LEVEL - {"version", "name"}


def _load(path: str, text: str) -> list[Document]:
    return [SourceDocument(s, i) for i, s in enumerate(load_sources(path, text))]


class ComposeReader:
    name = "compose"
    looks_like = "a Compose file has `services:`"
    owned = Owned(mapping.OWNED_COMPONENT_KEYS, mapping.OWNED_CONTAINER_KEYS,
                  mapping.OWNED_SERVICE_KEYS, (mapping.CONTAINER,))
    #: The fast loader (plain data and a position table): Compose files are the big inputs.
    loader = staticmethod(_load)

    def detect(self, document: Document) -> bool:
        tree = document.tree
        if not isinstance(tree, Mapping):
            return False
        keys = {str(k) for k in tree}
        # compose-go loads a file without services (include-only, volumes-only overrides): any
        # section of the specification marks a Compose file, provided every key is one
        return bool(keys & SECTIONS) and all(k in TOP_LEVEL or k.startswith("x-") for k in keys)

    def read(self, documents: list[Document], options: ReadOptions) -> ReadResult:
        sources = [_source(d) for d in documents]
        if not sources:
            raise SvcgenError(Diagnostic(file="", message="no Compose document to read"),
                              exit_code=2)
        return convert(sources, options)


def _source(document: Document) -> Source:
    if isinstance(document, SourceDocument):
        return document.source
    data = document.data()
    source = Source(document.file, data)
    # a round-trip document knows positions itself: fill the table for what exists
    from svcgen.yamlio import iter_paths

    for path in iter_paths(data):
        source.positions[path] = document.position(path, key=bool(path))
    return source


class Locator:
    """Where a path of the merged project was written: the last file that wrote it."""

    def __init__(self, sources: list[Source]) -> None:
        self.sources = sources

    def __call__(self, path: Path_) -> tuple[str, int, int]:
        """A mapping is placed where it was first written (its definition), any other value
        where it was last written (the value that took effect), as Helm's merge is explained."""
        exact: list[tuple[Source, Path_]] = []
        best: tuple[int, str, int, int] = (-1, self.sources[0].file, 0, 0)
        for source in self.sources:
            translated = _translate(source.data, path)
            depth = len(translated)
            while depth and translated[:depth] not in source.positions:
                depth -= 1
            if depth == len(path) and depth:
                exact.append((source, translated))
            elif depth >= best[0]:
                line, col = source.positions.get(translated[:depth], (0, 0))
                best = (depth, source.file, line, col)
        if exact:
            source, translated = exact[0] if _is_mapping(exact[-1][0].data, exact[-1][1]) \
                else exact[-1]
            line, col = source.positions[translated]
            return source.file, line, col
        return best[1], best[2], best[3]


def _is_mapping(data: Any, path: Path_) -> bool:
    node = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    return isinstance(node, dict)


def _translate(data: Any, path: Path_) -> Path_:
    """A merged path in one source's terms: ``environment.FOO`` → ``environment[3]`` when that
    file wrote the list form."""
    out: list[str | int] = []
    node = data
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and isinstance(part, str):
            index = next((i for i, item in enumerate(node) if _names(item, part)), None)
            if index is None:
                break
            node = node[index]
            out.append(index)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
            out.append(part)
        else:
            break
    return tuple(out)


def _names(item: Any, name: str) -> bool:
    if isinstance(item, str):
        return item == name or item.startswith((f"{name}=", f"{name}:"))
    if isinstance(item, dict):
        return name in (item.get("source"), item.get("target"))
    return False


def _project_name(raw: str) -> str:
    """Compose's normalisation: lowercase, only [a-z0-9_-], starting with a letter or digit."""
    name = re.sub(r"[^a-z0-9_-]", "", raw.lower())
    return name.lstrip("_-") or "project"


def unreadable(environ: Mapping[str, str]) -> frozenset[str]:
    """Variables whose bytes are not UTF-8 (they arrive as lone surrogates and could never be
    written out): they count as unset, and interpolating one is an error that names it."""
    return frozenset(k for k, v in environ.items() if not _utf8(v))


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def environment(sources: list[Source], options: ReadOptions) -> tuple[dict[str, str], Path]:
    first = sources[0].file
    project_dir = Path.cwd() if first == "-" else Path(first).resolve().parent
    environ = dict(os.environ if options.environ is None else options.environ)
    for k in unreadable(environ):
        del environ[k]
    env_file = Path(options.env_file) if options.env_file else project_dir / ".env"
    if options.env_file or env_file.is_file():
        text = read_text(env_file)
        for k, v in load_dotenv(str(env_file), text, environ).items():
            environ.setdefault(k, v)  # the shell wins over the .env file, as in Compose
    return environ, project_dir


def _interpolated(source: Source, interp: Interpolator, report: Report) -> Any:
    """One document with its variables substituted; unset ones are reported where written."""
    interp.unset = {}
    interp.secret_paths = {}
    data = interp.tree(source.data, source)
    _refuse_copied_secrets(source, interp.secret_paths)
    for name, path in interp.unset.items():
        line, col = source.position(path)
        report.action(Location(source.file, line, col, dotted_path(path)),
                      f"variable {name} is not set: using an empty string",
                      f"set {name} in the environment or the .env file, or give a default "
                      f"with ${{{name}:-default}}")
    return data


def convert(sources: list[Source], options: ReadOptions) -> ReadResult:
    environ, project_dir = environment(sources, options)
    report = Report()
    interp = Interpolator(environ, is_secret=is_secret,
                          unreadable=unreadable(os.environ if options.environ is None
                                                else options.environ))
    docs = [_interpolated(source, interp, report) for source in sources]
    included: list[Source] = []
    try:
        for source, doc in zip(sources, docs, strict=True):
            _follow_includes(Include(source, doc, project_dir, environ, interp, report, included))
        # included definitions are the base the including files write over
        return _convert_merged([*included, *sources], docs, interp, environ, project_dir,
                               report, options)
    except SvcgenError as exc:
        raise SvcgenError(*(_name_unset(d, interp.unset_uses) for d in exc.diagnostics),
                          exit_code=exc.exit_code) from None


#: What an included project brings into the one that includes it.
IMPORTED = ("services", "volumes", "networks", "secrets", "configs", "models")


@dataclass
class Include:
    """One Compose document whose ``include`` entries are being followed."""

    source: Source
    doc: Any
    #: Relative include paths are resolved here (the including project's directory).
    base: Path
    environ: dict[str, str]
    interp: Interpolator
    report: Report
    #: Every included file's documents, for positions in messages.
    included: list[Source]
    chain: tuple[Path, ...] = ()

    def fail(self, path: Path_, message: str, hint: str) -> SvcgenError:
        line, col = self.source.position(path)
        return SvcgenError(Diagnostic(file=self.source.file, line=line, column=col,
                                      path=dotted_path(path), message=message, hint=hint))


def _follow_includes(at: Include) -> None:
    """compose-go's ``include``: each entry is a Compose project of its own (its relative paths
    and its ``.env`` belong to its project directory, the directory of its first file unless
    ``project_directory`` says otherwise), loaded, merged and extended, then imported; what the
    including file defines under the same name is merged over what it imports."""
    doc = at.doc
    entries = doc.pop("include", None) if isinstance(doc, dict) else None
    if entries is None:
        return
    if not isinstance(entries, list):
        raise at.fail(("include",), "include is a list", "write include: [path, …]")
    for i, entry in enumerate(entries):
        imported = _load_include(at, ("include", i), entry)
        for kind in IMPORTED:
            theirs = imported.get(kind)
            if not isinstance(theirs, dict):
                continue
            ours = doc.get(kind) if isinstance(doc.get(kind), dict) else {}
            merged = dict(theirs)
            for name, value in ours.items():
                merged[name] = merge_values(theirs[name], value, (kind, name)) \
                    if name in theirs else value
            doc[kind] = merged


def _load_include(at: Include, where: Path_, entry: Any) -> dict[str, Any]:
    config = {"path": entry} if isinstance(entry, str) else entry
    if not isinstance(config, dict) or "path" not in config:
        raise at.fail(where, "an include entry is a path or a mapping with path",
                      "write - path/to/compose.yaml, or - {path: …, project_directory: …}")
    unknown = [k for k in config if k not in ("path", "project_directory", "env_file")
               and not str(k).startswith("x-")]
    if unknown:
        raise at.fail((*where, unknown[0]), f"unknown key {unknown[0]!r} in include",
                      "use path, project_directory and env_file")
    paths = config["path"] if isinstance(config["path"], list) else [config["path"]]
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise at.fail((*where, "path"), "include path is a file or a list of files",
                      "name the Compose file(s) to include")
    files = [resolve(p, at.base).resolve() for p in paths]
    for file, written in zip(files, paths, strict=True):
        if file in at.chain or file == Path(at.source.file).resolve():
            cycle = " -> ".join(str(f) for f in (*at.chain, file))
            raise at.fail(where, f"include cycle: {cycle}", "remove one of the includes")
        if not file.is_file():
            raise at.fail(where, f"included file {written} does not exist",
                          f"check the path (relative to {at.base})")
    project = config.get("project_directory")
    project_dir = resolve(project, at.base) if isinstance(project, str) else files[0].parent
    env_files = config.get("env_file")
    env_list = [env_files] if isinstance(env_files, str) else env_files
    environ = dict(at.environ)  # the including project's variables win, as in compose-go
    if env_list is None:
        default = project_dir / ".env"
        env_list = [str(default)] if default.is_file() else []
    for env_file in env_list:
        path = resolve(str(env_file), at.base)
        if not path.is_file():
            raise at.fail((*where, "env_file"), f"env_file {env_file} of the include does not "
                          "exist", f"check the path (relative to {at.base})")
        for k, v in load_dotenv(str(path), read_text(path), at.environ).items():
            environ.setdefault(k, v)
    interp = Interpolator(environ, is_secret=is_secret)
    sources = [source for file in files for source in load_sources(file)]
    docs = [_interpolated(source, interp, at.report) for source in sources]
    for source, doc in zip(sources, docs, strict=True):
        _follow_includes(Include(source, doc, project_dir, environ, interp, at.report,
                                 at.included, (*at.chain, Path(at.source.file).resolve(),
                                               *files)))
    at.included.extend(sources)
    data = merge_documents(docs) if docs else {}
    if not isinstance(data, dict):
        raise at.fail(where, f"{paths[0]} is not a Compose file", "include a Compose file")
    _resolve_extends(data, project_dir, interp, Locator(sources))
    at.interp.unset_uses.extend(interp.unset_uses)
    at.interp.secret_values |= interp.secret_values
    services = data.get("services")
    if isinstance(services, dict):
        data["services"] = {name: rebase_service(service, project_dir)
                            for name, service in services.items()}
    for kind in ("secrets", "configs"):
        for definition in (data.get(kind) or {}).values():
            if isinstance(definition, dict) and isinstance(definition.get("file"), str):
                definition["file"] = str(resolve(definition["file"], project_dir))
    return data


def _name_unset(diagnostic: Diagnostic, uses: list[UnsetUse]) -> Diagnostic:
    """An error about a value an unset variable went into says so: ``'' is not a port`` alone
    sends the reader looking in the wrong place."""
    where = diagnostic.path
    if where.count(".") + where.count("[") < 2:  # the whole service or file: too broad to tell
        return diagnostic
    causes = [u for u in uses if u.path == where or u.path.startswith((f"{where}.", f"{where}["))]
    if not causes:
        return diagnostic
    unique = {(u.name, u.file, u.line): u for u in causes}.values()
    shown = ", ".join(f"${{{u.name}}} ({Path(u.file).name}:{u.line})" for u in unique)
    names = ", ".join(dict.fromkeys(u.name for u in causes))
    verb = "was" if len(unique) == 1 else "were"
    return replace(diagnostic, message=f"{diagnostic.message}; {shown} {verb} not set",
                   hint=f"set {names} in the environment or the .env file; {diagnostic.hint}")


def _convert_merged(sources: list[Source], docs: list[Any], interp: Interpolator,
                    environ: dict[str, str], project_dir: Path, report: Report,
                    options: ReadOptions) -> ReadResult:
    merged = merge_documents(docs)
    locate = Locator(sources)
    _resolve_extends(merged, project_dir, interp, locate)
    project = spec.validate_project(merged, locate)
    raw_name = (options.project or environ.get("COMPOSE_PROJECT_NAME") or project.name
                or project_dir.name)
    ctx = mapping.Context(project_name=_project_name(raw_name), project_dir=project_dir,
                          environ=environ, options=options, locate=locate, project=project,
                          report=report, secret_values=interp.secret_values)
    enabled = set(options.profiles) or {
        p.strip() for p in environ.get("COMPOSE_PROFILES", "").split(",") if p.strip()}

    components: dict[str, dict[str, Any]] = {}
    ids: dict[str, str] = {}
    active: list[tuple[str, spec.Service]] = []
    for name, service in project.services.items():
        ctx.current = name
        service = service or spec.Service()
        profiles = service.profiles or []
        if profiles and not (enabled & set(profiles) or "*" in enabled):
            ctx.note(("services", name), CHOICE,
                     f"service {name} is in profile(s) {', '.join(profiles)}, none of which is "
                     "enabled: skipped", "enable one with --profile")
            options.image_for(name)  # an --image for it names a service that exists
            continue
        if service.provider is not None:
            ctx.providers.add(name)
            ctx.note(("services", name, "provider"), NOT_CONVERTED,
                     f"not converted: service {name} is run by the {service.provider.type} "
                     "provider, which docker compose starts outside any container: the provider "
                     "is not deployed",
                     "deploy what the provider stands for yourself, and give the services that "
                     "depend on it the variables it would set (x-svcgen.values)")
            continue
        wanted = service.x_svcgen.component if service.x_svcgen and \
            service.x_svcgen.component else None
        cid = wanted or component_id(name)
        if wanted and (not mapping.DNS1035_LABEL.match(wanted) or len(wanted) > 63):
            raise ctx.fail(("services", name, "x-svcgen", "component"),
                           f"{wanted!r} is not a valid component id",
                           "use a DNS label: lowercase letters, digits and '-', starting with a "
                           "letter")
        owner = next((other for other, taken in ids.items() if taken == cid), None)
        if wanted and owner is not None:
            raise ctx.fail(("services", name, "x-svcgen", "component"),
                           f"component id {wanted!r} is already the component of service "
                           f"{owner!r}", "choose another x-svcgen.component for one of them")
        base, n = cid, 2
        while cid in components:
            cid = f"{base[:60]}-{n}"
            n += 1
        if owner is not None:
            ctx.note(("services", name), CHOICE,
                     f"component id {base!r} is taken by service {owner!r}: service {name} "
                     f"becomes component {cid!r}", "choose the id with x-svcgen.component")
        elif cid != name and not wanted:
            ctx.note(("services", name), CHOICE,
                     f"service name {name!r} is not a valid DNS label: component id {cid!r}",
                     "rename the service, or choose the id with x-svcgen.component")
        ids[name] = cid
        components[cid] = {}
        active.append((name, service))

    _refuse_cycles(ctx, active, ids)
    ctx.network = network.survey({n: s for n, s in active if n not in ctx.providers}, project)
    ctx.ids = ids
    ctx.renames = {host: ids[svc] for host, svc in ctx.network.hosts.items()
                   if svc in ids and host != ids[svc]}
    users: dict[str, list[str]] = {}
    for name, service in active:
        for volume in mapping.named_volumes(service, project.volumes):
            users.setdefault(volume, []).append(name)
    ctx.shared_volumes = {v: who for v, who in users.items() if len(who) > 1}
    for name, service in active:
        for dep, _, long in _dependency_entries(name, service):
            if dep not in ids or dep in ctx.providers:
                continue
            if long is not None and long.condition == "service_completed_successfully":
                ctx.awaited.setdefault(dep, []).append(name)
            else:
                ctx.called.setdefault(dep, []).append(name)
    for ref in ctx.network.references:
        if ref.caller != ref.callee and ref.caller not in ctx.called.get(ref.callee, []):
            ctx.called.setdefault(ref.callee, []).append(ref.caller)
    pod_of = _shared_pods(active, ids)
    for name, host in pod_of.items():
        ctx.renames[name.lower()] = ids[host]
    dependencies: dict[str, list[str]] = {}
    raw_services = merged.get("services") or {}
    for name, service in active:
        ctx.current = name
        cid = ids[name]
        converter = mapping.ServiceConverter(ctx, name, cid, service, raw_services.get(name) or {})
        converter.use("depends_on")
        converter.use("links")
        if name in pod_of:
            converter.use("network_mode")
        deps = _dependencies(ctx, name, service, ids)
        deps += [d for d in _referenced(ctx, name, ids) if d not in deps]
        dependencies[cid] = deps
        converter.dependencies = deps
        component = converter.convert()
        x = service.x_svcgen
        if x is not None and x.values:
            _refuse_plain_secrets(ctx, ("services", name, "x-svcgen", "values"), x.values)
            component = mapping.deep_merge(component, x.values)
        components[cid] = component
        converted = sorted(k for k in (raw_services.get(name) or {})
                           if k not in converter.unconverted and not str(k).startswith("x-")
                           and k != "profiles")
        scaling = component.get("scaling")
        count = (f"{scaling.get('minReplicas', 1)}-{scaling.get('maxReplicas')} replicas, "
                 if isinstance(scaling, dict) else f"{component.get('replicas')} replica(s), "
                 if "replicas" in component else "")
        summary = (f"service {name} → component {cid} ({component.get('kind')}, {count}"
                   f"{component.get('securityProfile')} profile)") if name not in pod_of else (
            f"service {name} → component {ids[pod_of[name]]} (container {cid} of its pod, as "
            f"network_mode service:{pod_of[name]} shares its network namespace)")
        if converted:
            summary += ": converted " + ", ".join(map(str, converted))
        ctx.note(("services", name), CONVERTED, summary)

    ctx.current = None
    for name, host in pod_of.items():
        _join_pod(components, dependencies, ids[name], ids[host])
    mapping.finish_peers(components, dependencies)
    _top_level_notes(ctx, merged)

    values: dict[str, Any] = {}
    glob: dict[str, Any] = {}
    if options.project:
        glob["project"] = dns_label(options.project, rfc1035=False)
    if project.x_svcgen is not None and project.x_svcgen.global_:
        glob = mapping.deep_merge(glob, project.x_svcgen.global_)
    if glob:
        values["global"] = glob
    values["components"] = components
    _validate(values, ctx, ids)
    return ReadResult(values=ordered(values), report=ctx.grouped_report(project.services),
                      secret_values={cid: {mapping.CONTAINER: env}
                                     for cid, env in ctx.literals.items()})


def _resolve_extends(merged: Any, project_dir: Path, interp: Interpolator,
                     locate: Locator) -> None:
    """``extends``: a service starts from another one (of this project or of another file) and
    is merged over it with the same rules as ``-f`` files."""
    services = merged.get("services") if isinstance(merged, dict) else None
    if not isinstance(services, dict):
        return
    files: dict[Path, dict[str, Any]] = {}

    def fail(name: str, message: str, hint: str) -> SvcgenError:
        file, line, col = locate(("services", name, "extends"))
        return SvcgenError(Diagnostic(file=file, line=line, column=col,
                                      path=f"services.{name}.extends", message=message,
                                      hint=hint))

    def other_file(path: Path) -> dict[str, Any]:
        if path not in files:
            loaded = load_sources(path)
            docs = []
            for source in loaded:
                docs.append(interp.tree(source.data, source))
                _refuse_copied_secrets(source, interp.secret_paths)
            data = merge_documents(docs) if docs else {}
            found = data.get("services") if isinstance(data, dict) else None
            # compose-go: the base's relative paths are relative to the file it is written in
            files[path] = {name: rebase_service(service, path.parent)
                           for name, service in found.items()} if isinstance(found, dict) else {}
        return files[path]

    def resolved(where: dict[str, Any], name: str, origin: str,
                 chain: tuple[tuple[str, str], ...]) -> Any:
        service = where.get(name)
        if not isinstance(service, dict) or "extends" not in service:
            return service
        if (origin, name) in chain:
            raise fail(chain[0][1], f"extends loops back to service {name}",
                       "break the cycle of extends")
        ext = service["extends"]
        target, file = (ext, None) if isinstance(ext, str) else (
            (ext.get("service"), ext.get("file")) if isinstance(ext, dict) else (None, None))
        if not isinstance(target, str):
            raise fail(chain[0][1] if chain else name, "extends needs a service name",
                       "write extends: {service: NAME, file: FILE}")
        base_where, base_origin = where, origin
        if isinstance(file, str):
            # Compose resolves `file` against the directory of the file that names it.
            here = Path(origin).parent if origin else project_dir
            path = resolve(file, here).resolve()
            try:
                base_where, base_origin = other_file(path), str(path)
            except SvcgenError as exc:
                first = exc.diagnostics[0]
                if first.line:  # a problem inside that file, already located there
                    raise
                raise fail(chain[0][1] if chain else name, f"extends.file {file}: "
                           f"{first.message.removeprefix(str(path) + ': ')}",
                           first.hint or "check the path (relative to this file)") from None
        if target not in base_where:
            raise fail(chain[0][1] if chain else name,
                       f"extends names service {target!r}, which "
                       f"{'is not in ' + file if file else 'does not exist'}",
                       "name a service that exists")
        base = resolved(base_where, target, base_origin, (*chain, (origin, name)))
        own = {k: v for k, v in service.items() if k != "extends"}
        base = {k: v for k, v in (base or {}).items() if k != "extends"}
        return merge_values(base, own, ("services", name))

    for name in list(services):
        services[name] = resolved(services, name, "", ())


def _refuse_plain_secrets(ctx: mapping.Context, base: Path_, values: dict[str, Any]) -> None:
    """``x-svcgen.values`` is written by hand: secret material in plain env is refused there as
    the readers never write it."""
    for group in ("containers", "initContainers"):
        containers = values.get(group)
        for cname, container in (containers.items() if isinstance(containers, dict) else ()):
            env = container.get("env") if isinstance(container, dict) else None
            for var, value in (env.items() if isinstance(env, dict) else ()):
                if is_secret(str(var), value):
                    raise ctx.fail(
                        (*base, group, cname, "env", var),
                        f"{var} holds secret material in plain env; its value would be written "
                        "into the values and every rendered pod spec",
                        f"move it to secretEnv as a reference, {var}: {{secret: NAME, key: "
                        f"{var}}}, and create that Secret")


def _refuse_copied_secrets(source: Source, paths: dict[Path_, set[str]]) -> None:
    """A secret variable may feed an environment variable (it becomes a Secret reference);
    anywhere else its value would be written into the values, so that is an error."""
    for path, names in paths.items():
        if len(path) >= 4 and path[0] == "services" and path[2] == "environment":
            continue
        if _extension(path):
            continue
        line, col = source.position(path)
        name = sorted(names)[0]
        raise SvcgenError(Diagnostic(
            file=source.file, line=line, column=col, path=dotted_path(path),
            message=f"the value of {name} (secret material) would be copied into the values here",
            hint=f"write $${{{name}}} so the container expands it at run time (pass {name} "
            "through environment), or keep it out of this key"))


def _extension(path: Path_) -> bool:
    """An ``x-`` block (other than x-svcgen) is never converted: what it holds reaches the
    values only where a service uses it (an anchor, a merge key), and that copy is checked at
    the service's own path."""
    keys = [path[0]] if path and path[0] != "services" else list(path[2:3])
    return any(isinstance(k, str) and k.startswith("x-") and k != "x-svcgen" for k in keys)


def _dependency_entries(name: str, service: spec.Service) -> Iterator[
        tuple[str, Path_, spec.DependsOnLong | None]]:
    """The services ``name`` depends on (``depends_on`` and, as in compose-go, ``links``), where
    each is written, and its long form when it has one."""
    base: Path_ = ("services", name)
    depends = service.depends_on
    if isinstance(depends, list):
        yield from ((d, (*base, "depends_on", i), None) for i, d in enumerate(depends))
    elif isinstance(depends, dict):
        yield from ((d, (*base, "depends_on", d), v) for d, v in depends.items())
    for i, link in enumerate(service.links or []):
        yield link.partition(":")[0], (*base, "links", i), None


def _refuse_cycles(ctx: mapping.Context, active: list[tuple[str, spec.Service]],
                   ids: dict[str, str]) -> None:
    """compose-go refuses a dependency cycle among the enabled services (a service depending on
    itself included), naming the services in order; searched depth-first by name, each service
    once, so the cost stays linear."""
    edges = {name: sorted(((d, p) for d, p, _ in _dependency_entries(name, svc) if d in ids),
                          key=lambda entry: entry[0])
             for name, svc in active}
    done: set[str] = set()
    for root in sorted(edges):
        if root in done:
            continue
        chain, on_chain = [root], {root}
        pending = [iter(edges[root])]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                finished = chain.pop()
                on_chain.discard(finished)
                done.add(finished)
                pending.pop()
                continue
            dep, path = step
            if dep in on_chain:
                cycle = " -> ".join([*chain[chain.index(dep):], dep])
                raise ctx.fail(path, f"dependency cycle: {cycle}",
                               "remove one of the dependencies of the cycle")
            if dep not in done:
                chain.append(dep)
                on_chain.add(dep)
                pending.append(iter(edges[dep]))


def _dependencies(ctx: mapping.Context, name: str, service: spec.Service,
                  ids: dict[str, str]) -> list[str]:
    """The components a service calls: its depends_on and links, except the tasks it only
    waits for (service_completed_successfully), which it does not call."""
    deps: list[str] = []
    base: Path_ = ("services", name)
    entries = list(_dependency_entries(name, service))
    for i, link in enumerate(service.links or []):
        target, _, alias = link.partition(":")
        if alias and alias != target:
            ctx.note((*base, "links", i), NOT_CONVERTED,
                     f"not converted: the alias {alias} is not a DNS name in the cluster; "
                     f"{target} is reachable as {ids.get(target, target)}",
                     "call the service by its component id")
    for dep, path, long in entries:
        if dep not in ctx.project.services:
            raise ctx.fail(path, f"{name} depends on {dep!r}, which is not a service",
                           "name a service of this project")
        if dep in ctx.providers:
            ctx.note(path, NOT_CONVERTED,
                     f"not converted: {dep} is a provider service, not deployed: no upstream",
                     f"set the variables {dep}'s provider gives {name} through x-svcgen.values")
            continue
        if dep not in ids:
            if long is not None and not long.required:
                ctx.note(path, CHOICE,
                         f"optional dependency {dep} is not enabled (profiles): no upstream")
                continue
            ctx.note(path, NOT_CONVERTED,
                     f"not converted: {dep} is not enabled (profiles)",
                     "enable its profile with --profile")
            continue
        if long is not None and long.condition == "service_completed_successfully":
            ctx.note((*path, "condition"), CHOICE,
                     f"{long.condition}: {dep} becomes a Job that Helm runs as a hook before "
                     f"every upgrade rolls out {name} (see {dep} for the first install); "
                     f"{name} does not call it, so it is no upstream")
            if long.restart:
                ctx.note((*path, "restart"), NOT_CONVERTED,
                         f"not converted: restart — {name} is not restarted when {dep} is",
                         "nothing to do")
            continue
        if long is not None and long.condition != "service_started":
            ctx.note((*path, "condition"), NOT_CONVERTED,
                     f"not converted: {long.condition} — Kubernetes starts components together; "
                     f"{dep}'s readiness probe keeps traffic away until it is ready",
                     f"make {name} retry its connection to {dep} at startup")
        if long is not None and long.restart:
            ctx.note((*path, "restart"), NOT_CONVERTED,
                     f"not converted: restart — {name} is not restarted when {dep} is",
                     "nothing to do")
        cid = ids[dep]
        if cid not in deps:
            deps.append(cid)
    return deps


def _shared_pods(active: list[tuple[str, spec.Service]], ids: dict[str, str]) -> dict[str, str]:
    """service → the service whose network namespace it joins (``network_mode: service:x``),
    followed to the service that has its own: they become containers of one pod."""
    joins = {name: str(svc.network_mode).removeprefix("service:") for name, svc in active
             if str(svc.network_mode or "").startswith("service:")}
    out: dict[str, str] = {}
    for name, target in joins.items():
        seen = {name}
        while target in joins and target not in seen:
            seen.add(target)
            target = joins[target]
        if target in ids and target not in joins:
            out[name] = target
    return out


def _join_pod(components: dict[str, dict[str, Any]], dependencies: dict[str, list[str]],
              cid: str, host: str) -> None:
    """Component ``cid`` becomes the container ``cid`` of ``host``'s pod: its volumes, Service
    ports and upstreams go with it, and whoever called it calls ``host``."""
    joined = components.pop(cid)
    target = components[host]
    container = joined["containers"][mapping.CONTAINER]
    mounts = container.get("volumeMounts") or {}
    volumes = target.setdefault("volumes", {})
    for vname, volume in (joined.get("volumes") or {}).items():
        new = vname
        if vname in volumes and volumes[vname] != volume:
            new = f"{cid}-{vname}"[:63]
            if vname in mounts:
                mounts[new] = mounts.pop(vname)
        volumes[new] = volume
    if not volumes:
        target.pop("volumes")
    target["containers"][cid] = container
    for key in ("initContainers",):
        for name, init in (joined.get(key) or {}).items():
            target.setdefault(key, {})[f"{cid}-{name}"[:63]] = init
    ports = (joined.get("service") or {}).get("ports") or {}
    if ports:
        service = target.setdefault("service", {})
        taken = {(p["port"], p.get("protocol", "TCP")) for p in (service.get("ports") or {})
                 .values()}
        for pname, port in ports.items():
            if (port["port"], port.get("protocol", "TCP")) not in taken:
                service.setdefault("ports", {}).setdefault(pname, port)
    if joined.get("securityProfile") == "baseline":
        target["securityProfile"] = "baseline"  # one pod, one profile: the looser one
    own = dependencies.setdefault(host, [])
    for dep in dependencies.pop(cid, []):
        if dep not in (host, cid) and dep not in own:
            own.append(dep)  # a call to the pod it joined is a call over localhost
    for caller, deps in dependencies.items():
        if cid in deps:
            moved = [host if d == cid else d for d in deps]
            dependencies[caller] = [d for i, d in enumerate(moved) if d not in moved[:i]
                                    and not (caller == host and d == host and host not in deps)]


def _referenced(ctx: mapping.Context, name: str, ids: dict[str, str]) -> list[str]:
    """The components ``name`` names in its env values, commands and healthchecks: they are
    its upstreams (admitted by the NetworkPolicies) when they share a Compose network; a
    reference across networks is reported, as Compose does not resolve it either."""
    net = ctx.network
    found: list[str] = []
    for ref in net.calls_from(name):
        if ref.callee not in ids or (ref.callee == name and ref.path[0] == "healthcheck"):
            continue  # its own healthcheck calls localhost (mapping: _own_host_is_localhost)
        if ref.path[0] in ("depends_on", "links"):
            continue
        if not net.shares_network(name, ref.callee):
            ctx.note(("services", name, *ref.path), ACTION,
                     f"{name} names {ref.host} here, but they share no Compose network: the "
                     f"NetworkPolicies block it (as Compose does not resolve the name)",
                     f"attach {name} and {ref.callee} to one network, or remove the reference")
            continue
        if ids[ref.callee] not in found:
            found.append(ids[ref.callee])
    return found


def _top_level_notes(ctx: mapping.Context, merged: dict[str, Any]) -> None:
    project = ctx.project
    if project.version is not None:
        ctx.note(("version",), CHOICE,
                 "the version key is obsolete and ignored, as docker compose ignores it")
    if project.networks:
        ctx.note(("networks",), CHOICE,
                 "networks → NetworkPolicies (global.networkPolicy.enabled): each component "
                 "admits the callers that share a network with it and name it, on its ports")
    for net_name in sorted(ctx.network.internal):
        ctx.note(("networks", net_name), CHOICE,
                 f"network {net_name} is internal: its components get no egress outside the "
                 "cluster with NetworkPolicies on, and no ingress is derived for them",
                 "keep global.networkPolicy.externalEgress off")
    if project.models:
        ctx.note(("models",), NOT_CONVERTED,
                 "not converted: models are not part of the chart", "remove them")
    for kind in ("volumes", "secrets", "configs"):
        for name, definition in (getattr(project, kind) or {}).items():
            if (kind, name) not in ctx.used_defs:
                ctx.note((kind, name), CHOICE,
                         f"{kind[:-1]} {name} is not used by any enabled service")
                continue
            if definition is None:
                continue
            for key in ("driver", "driver_opts", "labels", "template_driver"):
                if getattr(definition, key, None) is not None:
                    ctx.note((kind, name, key), NOT_CONVERTED,
                             f"not converted: {key} of {kind[:-1]} {name} — the cluster's "
                             "storage class and Secret handling apply",
                             "choose a storageClassName in x-svcgen" if kind == "volumes"
                             else "nothing to do")
    for volume, users in ctx.shared_volumes.items():
        owner = ctx.ids[users[0]]
        claim = f"{owner}-{dns_label(volume, rfc1035=False)}"
        ctx.note(("volumes", volume), ACTION,
                 f"volume {volume} is shared by {', '.join(users)}: one claim {claim} "
                 f"(ReadWriteMany, owned by {owner}; the others mount it as an existing claim), "
                 "so they see the same files; the storage class must support ReadWriteMany "
                 "(NFS, CephFS, Amazon EFS, Azure Files, Longhorn RWX...)",
                 "choose such a class with volumes."
                 f"{volume}.x-svcgen.storageClassName; with global.prefixWithRelease the claim "
                 "is <release>-" + claim)
    for secret, keys in ctx.secrets.items():
        if all(how == "external" for how in keys.values()):
            message = f"Secret {secret} (external) must exist with key(s) {', '.join(keys)}"
            hint = f"kubectl get secret {secret}"
        else:
            parts = []
            for key, how in keys.items():
                if how == "from-literal":
                    parts.append(f"--from-literal={key}=...")
                elif how != "external":
                    parts.append(f"--{how}")
            message = f"create Secret {secret} with key(s) {', '.join(keys)}"
            hint = f"kubectl create secret generic {secret} " + " ".join(parts)
            if all(how == "from-literal" for how in keys.values()):
                hint += ", or pass --secret-values FILE to write them to an overlay for helm -f"
        ctx.note(ctx.secret_origin[secret], ACTION, message, hint)


def _validate(values: dict[str, Any], ctx: mapping.Context, ids: dict[str, str]) -> None:
    """Errors in a component are placed at the service's x-svcgen (or the service), in global at
    the project's x-svcgen.global."""
    by_id = {cid: name for name, cid in ids.items()}

    def locate(loc: tuple[str, ...]) -> tuple[Location, str]:
        where: Path_ = ()
        hint = "fix the service definition"
        if len(loc) >= 2 and loc[0] == "components" and loc[1] in by_id:
            name = by_id[loc[1]]
            service = ctx.project.services.get(name)
            if service is None or service.x_svcgen is None:
                where = ("services", name)
            else:
                where = ("services", name, "x-svcgen")
                hint = "fix the x-svcgen settings of this service"
        elif loc and loc[0] == "global":
            where, hint = ("x-svcgen", "global"), "fix x-svcgen.global"
        file, line, col = ctx.locate(where)
        return Location(file, line, col), hint

    validate(values, locate)
