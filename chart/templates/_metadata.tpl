{{- /*
The metadata block (name, labels, annotations) every object of a component carries.
*/ -}}

{{- /* Annotations for every object of a component: global.annotations then the component's; empty string when none. */ -}}
{{- define "svcgen.metadata.annotations" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $ann := dict -}}
{{- range $k, $v := ($g.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- if .c -}}
  {{- range $k, $v := (.c.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- end -}}
{{- range $k, $v := (.extra | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- if $ann -}}
  {{- toYaml $ann -}}
{{- end -}}
{{- end -}}

{{- /* metadata block for a component's object: name, labels, annotations. Args: root id c name [extra]. */ -}}
{{- define "svcgen.metadata.object" -}}
name: {{ .name | quote }}
labels:
  {{- include "svcgen.labels.standard" . | nindent 2 }}
{{- with (include "svcgen.metadata.annotations" .) }}
annotations:
  {{- . | nindent 2 }}
{{- end }}
{{- end -}}
