{{- /*
The per-render memo. Helm renders every template file of a chart with one and the same root
context, so a dict kept on it (`svcgenMemo`) lives exactly as long as one render. It holds one
entry per component id, in which the helpers that derive a component's facts (its labels, its
ports, its ingress, its metadata block) keep them: each fact is derived once per render however
many templates ask for it, and templates read dicts instead of parsing YAML text back. The entry
of id "" holds what belongs to the release as a whole. The helpers that keep facts here assume,
as every template does, that `c` is the values of component `id`.
*/ -}}

{{- /* The memo itself, created on first use, in the argument as `memos`. Arg: a dict with root. */ -}}
{{- define "svcgen.memo.all" -}}
{{- if not (hasKey .root "svcgenMemo") -}}
  {{- $_ := set .root "svcgenMemo" (dict "" (dict "id" "" "yaml" dict "calls" dict)) -}}
{{- end -}}
{{- $_ := set . "memos" .root.svcgenMemo -}}
{{- end -}}

{{- /* Puts the component's memo entry (a dict, created empty on first use) in the argument as
`memo`. Args: root id. */ -}}
{{- define "svcgen.memo.entry" -}}
{{- if not (and .memo (eq .memo.id .id)) -}}
  {{- include "svcgen.memo.all" . -}}
  {{- if not (hasKey .memos .id) -}}
    {{- $_ := set .memos .id (dict "id" .id) -}}
  {{- end -}}
  {{- $_ := set . "memo" (get .memos .id) -}}
{{- end -}}
{{- end -}}

{{- /* toYaml of a value, converted once per render for each distinct value. Components of a
release mostly share their security contexts, probes, resources, Service ports and scratch
mounts, and toYaml is the dearest step of a render. The key is the value's Go syntax (%#v), which
orders map keys and tells strings, numbers and booleans apart, so equal keys mean equal YAML.
Args: root (optional: without it the value is converted afresh), value. */ -}}
{{- define "svcgen.memo.yaml" -}}
{{- if .root -}}
  {{- include "svcgen.memo.all" . -}}
  {{- $texts := (get .memos "").yaml -}}
  {{- $key := printf "%#v" .value -}}
  {{- if not (hasKey $texts $key) -}}
    {{- $_ := set $texts $key (toYaml .value) -}}
  {{- end -}}
  {{- get $texts $key -}}
{{- else -}}
  {{- toYaml .value -}}
{{- end -}}
{{- end -}}

{{- /* The text of `include template args` for a helper whose output depends on its arguments
alone, rendered once per render for each distinct arguments (keyed by their Go syntax, as in
svcgen.memo.yaml). Pass only the values the helper reads: a value it reads but is not given is
missing from every render, so a test sees it at once. Args: root template args. */ -}}
{{- define "svcgen.memo.call" -}}
{{- include "svcgen.memo.all" . -}}
{{- $texts := (get .memos "").calls -}}
{{- $key := printf "%s %#v" .template .args -}}
{{- if not (hasKey $texts $key) -}}
  {{- $_ := set $texts $key (include .template .args) -}}
{{- end -}}
{{- get $texts $key -}}
{{- end -}}
