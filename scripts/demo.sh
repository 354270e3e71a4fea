#!/usr/bin/env bash
# The main job on the bundled examples: convert the example inputs to values (`svcgen values`),
# lint every values file (`svcgen lint`) and render it with the real helm (`svcgen template`).
# Runs only the commands this svcgen has, and ends with a summary; exits 1 if a step failed.
# Lint findings are what lint is for: a file with lint errors is listed, not counted as a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

SVCGEN=${SVCGEN:-.venv/bin/svcgen}
if ! HELP=$(COLUMNS=200 "$SVCGEN" --help 2>/dev/null); then
  echo "demo: $SVCGEN does not run; run make setup" >&2
  exit 1
fi
has() { grep -qE "^[^[:alnum:]]*[[:space:]]$1[[:space:]]" <<<"$HELP"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 with_errors=0

row() { printf '  %-5s %-9s %-48s %s\n' "$1" "$2" "$3" "$4"; }
excerpt() { sed -n '1,6s/^/          | /p' "$1"; }
objects() { printf '%s objects' "$(grep -c '^kind: ' "$work/out" || true)"; }
summary() { grep -h '^svcgen values:' "$work/err" | sed 's/^svcgen values: //' | tail -1; }

# run NAME LABEL DETAIL-FUNCTION COMMAND...: one step, one row; what it said when it failed.
run() {
  local name=$1 label=$2 detail=$3 status=0
  shift 3
  "$@" >"$work/out" 2>"$work/err" || status=$?
  if [ "$status" -eq 0 ]; then
    passed=$((passed + 1))
    row ok "$name" "$label" "$($detail)"
  else
    failed=$((failed + 1))
    row FAIL "$name" "$label" "exit $status"
    excerpt "$work/err"
  fi
  return "$status"
}

echo "svcgen demo ($("$SVCGEN" version 2>/dev/null || echo '?'));" \
  "commands used: $(for c in values lint template; do has "$c" && printf '%s ' "$c"; done)"

# --- convert: each example directory's inputs, the base Compose file before its overrides -------
if has values; then
  echo
  echo "Converting example inputs (svcgen values), then rendering the result:"
  for dir in $(find values-examples -mindepth 1 -type d | sort); do
    mapfile -t inputs < <(find "$dir" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) \
      ! -name '*values.yaml' | awk -F/ '{base = ($NF ~ /^(docker-)?compose\.ya?ml$/) ? 0 : 1;
        print base "\t" $0}' | sort | cut -f2)
    [ "${#inputs[@]}" -gt 0 ] || continue
    if run values "$dir/ (${#inputs[@]} file(s))" summary "$SVCGEN" values "${inputs[@]}"; then
      cp "$work/out" "$work/converted-values.yaml"
      run template "  -> the converted values" objects \
        "$SVCGEN" template "$work/converted-values.yaml" || true
    fi
  done
fi

# --- lint ---------------------------------------------------------------------------------------
mapfile -t values_files < <(find values-examples chart/ci -name '*values.yaml' 2>/dev/null | sort)
if has lint; then
  echo
  echo "Linting values files (svcgen lint):"
  for file in "${values_files[@]}"; do
    status=0
    "$SVCGEN" lint "$file" >"$work/out" 2>"$work/err" || status=$?
    counts=$(grep -hE '^[0-9]+ errors?, ' "$work/out" "$work/err" | tail -1 | sed 's/ in 1 file//')
    case $status in
      0) passed=$((passed + 1)); row ok lint "$file" "${counts:-clean}" ;;
      1) passed=$((passed + 1)); with_errors=$((with_errors + 1))
         row error lint "$file" "$counts"
         grep -hE '^ +[0-9]+:[0-9]+ +error ' "$work/out" | head -3 | sed 's/^ */          | /' ;;
      *) failed=$((failed + 1)); row FAIL lint "$file" "exit $status"; excerpt "$work/err" ;;
    esac
  done
fi

# --- render -------------------------------------------------------------------------------------
if has template; then
  echo
  echo "Rendering values files with helm (svcgen template):"
  for file in "${values_files[@]}"; do run template "$file" objects "$SVCGEN" template "$file" || true; done
fi

# --- one setting: the shop example's exposure as Gateway API routes instead of Ingresses --------
if has template; then
  echo
  echo "Moving the shop example to a Gateway (one setting, global.exposure: gateway):"
  printf 'global:\n  exposure: gateway\n' >"$work/gateway.yaml"
  routes() { printf '%s route(s), %s Ingress(es)' "$(grep -cE '^kind: (HTTP|GRPC)Route$' "$work/out" || true)" \
    "$(grep -c '^kind: Ingress$' "$work/out" || true)"; }
  run template "values-examples/shop-values.yaml + exposure: gateway" routes \
    "$SVCGEN" template values-examples/shop-values.yaml "$work/gateway.yaml" || true
fi

echo
echo "demo: $passed steps ok, $failed failed; $with_errors values file(s) with lint errors"
[ "$failed" -eq 0 ]
