"""What inline secret values cost at render time: `helm template` of N components whose
containers hold their variables in plain `env`, as inline `secretEnv` values without
`global.secretChecksumSalt` (the pods' checksum is stretched with scrypt), and with the salt (one
salted hash). Medians of a few runs count (the machine is shared).

Target: 100 components with inline secretEnv and a salt render within 2x of plain env.

Usage: python benchmarks/secret_render.py [--sizes 100] [--runs 3] [--helm PATH] [--check]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from render import render_once

from svcgen.helm import find_helm
from svcgen.model import Values

TARGET_RATIO = 2.0
SALT = "0123456789abcdef0123456789abcdef"


def values(count: int, shape: str) -> dict[str, Any]:
    """``count`` components with three variables each, in the given shape."""
    variables = {"DB_PASSWORD": "pw-{i}", "API_TOKEN": "token-{i}", "LOG_LEVEL": "info"}
    components = {}
    for i in range(count):
        container: dict[str, Any] = {"image": {"repository": "ghcr.io/acme/app", "tag": "1.0"}}
        filled = {k: v.format(i=i) for k, v in variables.items()}
        if shape == "plain env":
            container["env"] = filled
        else:
            container["secretEnv"] = {k: {"value": v} for k, v in filled.items()}
        components[f"svc-{i:04d}"] = {"containers": {"app": container}}
    data: dict[str, Any] = {"components": components}
    if shape == "inline, salted":
        data["global"] = {"secretChecksumSalt": SALT}
    Values.model_validate(data)
    return data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--helm", default=None)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    helm = find_helm(args.helm).path
    ok = True
    print(f"{'components':>10} {'shape':<18} {'seconds':>8} {'x plain':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        plain = 0.0
        for shape in ("plain env", "inline, no salt", "inline, salted"):
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "values.json"
                path.write_text(json.dumps(values(size, shape)))
                seconds = statistics.median(render_once(helm, path)[0]
                                            for _ in range(args.runs))
            plain = plain or seconds
            print(f"{size:>10} {shape:<18} {seconds:>8.2f} {seconds / plain:>7.1f}x")
            if shape == "inline, salted":
                ok &= seconds <= TARGET_RATIO * plain
    if args.check and not ok:
        print("target missed: salted inline secrets above 2x plain env", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
