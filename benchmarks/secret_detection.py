"""How well secret material is told from look-alikes: every reader and lint over one labelled
corpus of environment variables (benchmarks/_secrets_corpus.py), beside detect-secrets.

Each reader converts an input holding every corpus variable (one service or component each); a
variable counts as found when the reader moved it into ``secretEnv``. Lint counts a variable
written in plain env as found when it reports SVC601 for it. detect-secrets (all default plugins
and filters) scans a compose.yaml holding the same variables, one per line.

Targets: for every reader and lint, at least 95% of the credentials found and at most 5% of the
look-alikes flagged; and every one of them decides every variable alike.

Usage: python benchmarks/secret_detection.py [--check] [--sizes …] [--runs …] (the last two are
accepted for `make bench`'s uniform call and ignored: the corpus has one size)
"""

from __future__ import annotations

import argparse
import sys
import time

from _secrets_corpus import DECIDERS, confusion, corpus, decide_detect_secrets, describe

TARGET_FOUND = 0.95
TARGET_FALSE_ALARMS = 0.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--sizes", default="")
    parser.add_argument("--runs", default="")
    args = parser.parse_args()
    cases = corpus()
    credentials = sum(1 for c in cases if c.secret)
    print(f"corpus: {len(cases)} variables, {credentials} credentials, "
          f"{len(cases) - credentials} look-alikes")
    print(f"{'decided by':<16} {'found':>6} {'missed':>7} {'false alarms':>13} {'left alone':>11}"
          f" {'found %':>8} {'false %':>8} {'seconds':>8}")
    ok = True
    decisions = {}
    for name, decide in [*DECIDERS.items(), ("detect-secrets", decide_detect_secrets)]:
        start = time.perf_counter()
        try:
            decided = decide(cases)
        except ImportError:
            print(f"{name:<16} (not installed: pip install -e '.[dev]')")
            continue
        seconds = time.perf_counter() - start
        m = confusion(cases, decided)
        print(f"{name:<16} {m.found:>6} {m.missed:>7} {m.false_alarms:>13} {m.left_alone:>11}"
              f" {100 * m.recall:>7.1f}% {100 * m.false_alarm_rate:>7.1f}% {seconds:>8.2f}")
        if name in DECIDERS:
            decisions[name] = decided
            ok &= m.recall >= TARGET_FOUND and m.false_alarm_rate <= TARGET_FALSE_ALARMS
    disagreements = [describe(c) for i, c in enumerate(cases)
                     if len({d[i] for d in decisions.values()}) > 1]
    print(f"variables the readers and lint decide differently: {len(disagreements)}"
          + (f" ({', '.join(disagreements[:5])})" if disagreements else ""))
    ok &= not disagreements
    if args.check and not ok:
        print("a target is missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
