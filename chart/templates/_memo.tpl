{{- /*
The per-render memo. Helm renders every template file of a chart with one and the same root
context, so a dict kept on it (`svcgenMemo`) lives exactly as long as one render. It holds one
entry per component id, in which the helpers that derive a component's facts (its labels, its
ports, its ingress) keep them as dicts: each fact is derived once per render however many
templates ask for it, and templates read the dicts instead of parsing YAML text back.
The helpers that keep facts here assume, as every template does, that `c` is the values of
component `id`.
*/ -}}

{{- /* Puts the component's memo entry (a dict, created empty on first use) in the argument as
`memo`. Args: root id. */ -}}
{{- define "svcgen.memo.entry" -}}
{{- if not (and .memo (eq .memo.id .id)) -}}
  {{- if not (hasKey .root "svcgenMemo") -}}
    {{- $_ := set .root "svcgenMemo" dict -}}
  {{- end -}}
  {{- $all := .root.svcgenMemo -}}
  {{- $id := toString .id -}}
  {{- if not (hasKey $all $id) -}}
    {{- $_ := set $all $id (dict "id" .id) -}}
  {{- end -}}
  {{- $_ := set . "memo" (get $all $id) -}}
{{- end -}}
{{- end -}}
