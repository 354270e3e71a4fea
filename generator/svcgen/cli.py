"""Command line: parses arguments and calls the modules that do the work; nothing else lives here.

Heavy imports happen inside the commands so that ``svcgen --help`` starts fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import NoReturn, TypeVar

import typer
from typer._click.core import Context as ClickContext
from typer.core import TyperCommand

from svcgen.diagnostics import SvcgenError, format_text
from svcgen.readers import FORMATS

app = typer.Typer(
    name="svcgen",
    help="Turn service definitions into values for the svcgen Helm chart, lint them, render them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

T = TypeVar("T")


def run(work: Callable[[], T]) -> T:
    """Run a command body; errors the user caused become messages and an exit status."""
    try:
        return work()
    except SvcgenError as exc:
        for diagnostic in exc.diagnostics:
            print(format_text(diagnostic), file=sys.stderr)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None


def fail(message: str, code: int = 2) -> NoReturn:
    print(f"svcgen: {message}", file=sys.stderr)
    raise typer.Exit(code)


@app.callback()
def _root() -> None:
    """Turn service definitions into values for the svcgen Helm chart, lint them, render them."""


@app.command("values")
def values(
    inputs: list[str] = typer.Argument(  # noqa: B008 - typer reads its parameters from defaults
        ..., metavar="INPUT...", help="Service definition files, in the order a format merges them."
    ),
    output: str | None = typer.Option(
        None, "--output", "-o", help="Write here; an existing file is updated in place."
    ),
    fmt: str = typer.Option(
        "auto", "--format", help=f"Input format: auto, {', '.join(FORMATS)}."
    ),
    env_file: str | None = typer.Option(
        None, "--env-file", help="Variables for interpolation (default: .env next to the input)."
    ),
    profile: list[str] = typer.Option(  # noqa: B008
        [], "--profile", help="Enable a profile of the inputs (formats that have profiles)."
    ),
    project: str | None = typer.Option(
        None, "--project", help="Project id: global.project, and the project name of inputs."
    ),
    registry: str | None = typer.Option(
        None, "--registry", help="Registry for images the inputs build from source."
    ),
    image: list[str] = typer.Option(  # noqa: B008
        [], "--image", help="SERVICE=REF: set a service's image."
    ),
    exposure: str | None = typer.Option(
        None, "--exposure",
        help="How exposed services render: ingress, gateway (Gateway API routes) or both.",
    ),
    gateway: str | None = typer.Option(
        None, "--gateway", metavar="NAMESPACE/NAME[/SECTION]",
        help="The Gateway that routes attach to (global.gateway).",
    ),
    strict: bool = typer.Option(False, "--strict", help="Fail when any key is not converted."),
    var: list[str] = typer.Option(  # noqa: B008
        [], "--var", metavar="NAME=VALUE",
        help="Set a variable the inputs use as ${NAME} (over the environment and their own).",
    ),
    secret_values: str | None = typer.Option(
        None, "--secret-values", metavar="FILE",
        help="Write the secret values the values leave out to FILE (mode 0600), an overlay for "
        "helm -f.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing --secret-values file."),
) -> None:
    """Convert service definitions into values for the chart; report what was not converted."""
    from svcgen.values_cmd import run_values

    run(lambda: run_values(inputs, output=output, fmt=fmt, env_file=env_file, profiles=profile,
                           project=project, registry=registry, images=image, strict=strict,
                           exposure=exposure, gateway=gateway, variables=var,
                           secret_values=secret_values, force=force))


# Options lint and diff share: the same findings, filtered and printed the same way.
FORMAT = typer.Option("text", "--format", help="Output format: text, json, github or sarif.")
SELECT = typer.Option(
    [], "--select", help="Run only these rules (ids or prefixes, comma separated)."
)
IGNORE = typer.Option([], "--ignore", help="Skip these rules (ids or prefixes, comma separated).")
STRICT = typer.Option(False, "--strict", help="Exit 1 on any finding, not only errors.")


@app.command("lint")
def lint(
    values: list[str] = typer.Argument(  # noqa: B008 - typer reads its parameters from defaults
        ...,
        metavar="VALUES",
        help="Values files, merged in order as helm's -f merges them; '-' reads standard input.",
    ),
    render: bool = typer.Option(
        False, "--render", help="Also run helm template and helm lint, and validate every "
        "rendered object against the Kubernetes API schemas."
    ),
    fmt: str = FORMAT,
    kube_version: str = typer.Option(
        "1.35.0", "--kube-version", help="Kubernetes version to render and validate for."
    ),
    select: list[str] = SELECT,
    ignore: list[str] = IGNORE,
    strict: bool = STRICT,
    release: str | None = typer.Option(
        None, "--release", help="Release name: checks prefixed names exactly; used by --render.",
        show_default="assume 16 characters",
    ),
    config: str | None = typer.Option(
        None, "--config", help="Lint settings file (.svcgen.yaml or pyproject.toml).",
        show_default="looked up from the current directory upwards",
    ),
    helm_path: str | None = typer.Option(None, "--helm", help="helm binary for --render."),
    each: bool = typer.Option(
        False, "--each", help="Lint each file on its own instead of merging them (pre-commit)."
    ),
    server: bool = typer.Option(
        False, "--server", help="Also dry-run the rendered objects on the cluster of the "
        "kubeconfig context (server-side; nothing is created). Implies --render."
    ),
    kubeconfig: str | None = typer.Option(
        None, "--kubeconfig", help="kubeconfig for --server.", show_default="$KUBECONFIG or "
        "~/.kube/config"
    ),
    kube_context: str | None = typer.Option(
        None, "--kube-context", help="kubeconfig context for --server.",
        show_default="the current context"
    ),
) -> None:
    """Check values files: schema, cross-references and practice, at file:line:column.

    Exit status: 0 clean, 1 on any error (any finding with --strict), 2 on usage or I/O problems.
    """
    from svcgen.lint.command import LintRequest, run_lint

    code = run(lambda: run_lint(LintRequest(
        files=tuple(values), format=fmt, render=render, kube_version=kube_version,
        select=tuple(select), ignore=tuple(ignore), strict=strict, release=release,
        helm=helm_path, config=config, each=each, server=server, kubeconfig=kubeconfig,
        kube_context=kube_context,
    )))
    raise typer.Exit(code)


@app.command("template")
def template(
    values: list[str] = typer.Argument(  # noqa: B008 - typer reads its parameters from defaults
        ...,
        metavar="VALUES",
        help="Values files, applied in order as helm's -f does; '-' reads standard input.",
    ),
    release: str = typer.Option("svcgen", "--release", help="Release name."),
    namespace: str | None = typer.Option(
        None,
        "--namespace",
        "-n",
        help="Release namespace.",
        show_default="global.project when the values set it, else default",
    ),
    kube_version: str = typer.Option(
        "1.35.0", "--kube-version", help="Kubernetes version to render for."
    ),
    helm_path: str | None = typer.Option(
        None,
        "--helm",
        help="helm binary to run (Helm 4.x or 3.17.x).",
        show_default="$SVCGEN_HELM, the virtualenv's helm, then PATH's",
    ),
) -> None:
    """Render the bundled chart with these values through helm; print the manifests."""
    from svcgen import helm

    def work() -> None:
        from svcgen.yamlio import read_text

        stdin = read_text("-") if "-" in values else None
        manifests = helm.template(
            values,
            release=release,
            namespace=namespace,
            kube_version=kube_version,
            helm=helm_path,
            stdin=stdin,
            on_warning=lambda line: print(f"helm: {line}", file=sys.stderr),
        )
        sys.stdout.write(manifests)

    run(work)


class _SplitAtDoubleDash(TyperCommand):
    """Keeps what follows the first ``--`` apart (the NEW files of ``svcgen diff``): the parser
    would otherwise merge both lists into one."""

    def parse_args(self, ctx: ClickContext, args: list[str]) -> list[str]:
        if "--" in args:
            cut = args.index("--")
            ctx.meta["after_double_dash"] = args[cut + 1:]
            args = args[:cut]
        return super().parse_args(ctx, args)


@app.command("diff", cls=_SplitAtDoubleDash)
def diff(
    ctx: typer.Context,
    base: list[str] = typer.Argument(  # noqa: B008 - typer reads its parameters from defaults
        ...,
        metavar="BASE... -- NEW",
        help="Values files of the release as it runs, `--`, then the changed ones; each list "
        "merged in order as helm's -f merges them; '-' reads standard input (once).",
    ),
    fmt: str = FORMAT,
    kube_version: str = typer.Option(
        "1.35.0", "--kube-version", help="Kubernetes version to render for."
    ),
    select: list[str] = SELECT,
    ignore: list[str] = IGNORE,
    strict: bool = STRICT,
    release: str | None = typer.Option(
        None, "--release", help="Release name both sides are rendered as.", show_default="svcgen"
    ),
    namespace: str | None = typer.Option(
        None, "--namespace", "-n", help="Release namespace.",
        show_default="global.project when the values set it, else default",
    ),
    config: str | None = typer.Option(
        None, "--config", help="Settings file (.svcgen.yaml or pyproject.toml), section `diff`.",
        show_default="looked up from the current directory upwards",
    ),
    helm_path: str | None = typer.Option(None, "--helm", help="helm binary to render with."),
) -> None:
    """Show what upgrading from BASE values to NEW values does to each object, and what it
    refuses (immutable fields), loses (volume claims) or interrupts (renames).

    Exit status: 0 clean, 1 on any error (any finding with --strict), 2 on usage or I/O problems.
    """
    from svcgen.diff.command import DiffRequest, run_diff

    new = tuple(ctx.meta.get("after_double_dash", ()))
    code = run(lambda: run_diff(DiffRequest(
        base=tuple(base), new=new, format=fmt, kube_version=kube_version, select=tuple(select),
        ignore=tuple(ignore), strict=strict, release=release, namespace=namespace,
        helm=helm_path, config=config,
    )))
    raise typer.Exit(code)


@app.command("graph", cls=_SplitAtDoubleDash)
def graph(
    ctx: typer.Context,
    values: list[str] = typer.Argument(  # noqa: B008 - typer reads its parameters from defaults
        ...,
        metavar="VALUES... [-- NEW...]",
        help="Values files, merged in order as helm's -f merges them; after `--`, the changed "
        "ones: then the picture is what the change does. '-' reads standard input (once).",
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="mermaid, markdown, dot, json or svg (needs graphviz).",
        show_default="from -o's suffix; else mermaid, markdown for a change",
    ),
    output: str | None = typer.Option(None, "--output", "-o", help="Write here."),
    release: str = typer.Option("svcgen", "--release", help="Release name."),
    namespace: str | None = typer.Option(
        None, "--namespace", "-n", help="Release namespace.",
        show_default="global.project when the values set it, else default",
    ),
    kube_version: str = typer.Option(
        "1.35.0", "--kube-version", help="Kubernetes version to render for."
    ),
    helm_path: str | None = typer.Option(None, "--helm", help="helm binary to render with."),
) -> None:
    """Draw the release as the chart renders it: components, entry points, the calls its
    policies admit and the calls they refuse."""
    from svcgen.graph.command import GraphRequest, run_graph

    after = ctx.meta.get("after_double_dash")
    code = run(lambda: run_graph(GraphRequest(
        files=tuple(values), new=None if after is None else tuple(after), format=fmt,
        output=output, release=release, namespace=namespace, kube_version=kube_version,
        helm=helm_path,
    )))
    raise typer.Exit(code)


@app.command("rules")
def rules() -> None:
    """List every lint and diff rule: id, default severity, name and what it finds."""
    from svcgen.lint.command import rules_table

    sys.stdout.write(rules_table())


@app.command("explain")
def explain(rule: str = typer.Argument(..., help="Rule id (SVC101, DIFF101) or name.")) -> None:
    """Print why a lint or diff rule matters and an example fix."""
    from svcgen.lint.command import explain as explain_rule

    sys.stdout.write(run(lambda: explain_rule(rule)))


@app.command("schema")
def schema(
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 naming each generated file that is stale."
    ),
    chart: str = typer.Option(
        "chart", "--chart", help="Chart directory holding values.schema.json and README.md."
    ),
) -> None:
    """Generate the chart's values.schema.json and README values table from the values model."""
    from pathlib import Path

    from svcgen import schema as schema_mod

    def work() -> None:
        chart_dir = Path(chart)
        if check:
            stale = [a.path for a in schema_mod.artefacts(chart_dir) if a.stale]
            for path in stale:
                print(f"{path} is stale: run `svcgen schema` and commit the result",
                      file=sys.stderr)
            if stale:
                raise typer.Exit(1)
            print("values.schema.json and the README values table are up to date")
            return
        written = schema_mod.write(chart_dir)
        for path in written:
            print(f"wrote {path}")
        if not written:
            print("values.schema.json and the README values table are up to date")

    run(work)


@app.command("version")
def version() -> None:
    """Print the svcgen version."""
    from svcgen import __version__

    print(__version__)


def main() -> None:
    try:
        app()
    except OSError as exc:
        # Writing the output failed (a full disk, a closed pipe): say so instead of a traceback.
        _quiet_stdout()
        print(f"svcgen: error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except SystemExit as done:
        try:
            sys.stdout.flush()
        except OSError as exc:
            _quiet_stdout()
            print(f"svcgen: error: cannot write the output: {exc.strerror or exc}",
                  file=sys.stderr)
            raise SystemExit(2) from None
        raise done


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush cannot fail a second time."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    main()
