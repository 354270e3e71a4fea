{{- /*
Reading values: scalars as strings, and blocks that can be switched off with `enabled`.
*/ -}}

{{- /* A scalar as a string. Helm parses numbers in values files as float64, and Go prints an
integral float64 of a million or more as 1e+06; print integral floats as integers instead. */ -}}
{{- define "svcgen.values.scalar" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) -}}
  {{- int64 . -}}
{{- else -}}
  {{- toString . -}}
{{- end -}}
{{- end -}}

{{- /* "true" when a block (a component, its scaling) is set and not switched off: `enabled`
defaults to true. */ -}}
{{- define "svcgen.values.enabled" -}}
{{- if and (kindIs "map" .) (ne (toString .enabled) "false") -}}true{{- end -}}
{{- end -}}
