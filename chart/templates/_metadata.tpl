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

{{- /* metadata block for a component's object: name, labels, annotations. The objects of a
component mostly share their name (the Deployment, its PodDisruptionBudget, NetworkPolicy,
autoscaler), so without extra annotations the block is kept in the component's memo by name.
Args: root id c name [extra]. */ -}}
{{- define "svcgen.metadata.object" -}}
{{- if .extra -}}
  {{- include "svcgen.metadata.block" . -}}
{{- else -}}
  {{- include "svcgen.memo.entry" . -}}
  {{- $key := printf "metadata %s" .name -}}
  {{- if not (hasKey .memo $key) -}}
    {{- $_ := set .memo $key (include "svcgen.metadata.block" .) -}}
  {{- end -}}
  {{- get .memo $key -}}
{{- end -}}
{{- end -}}

{{- /* The work of svcgen.metadata.object. Args: root id c name [extra]. */ -}}
{{- define "svcgen.metadata.block" -}}
name: {{ .name | quote }}
labels:
  {{- include "svcgen.labels.standard" . | nindent 2 }}
{{- with (include "svcgen.metadata.annotations" .) }}
annotations:
  {{- . | nindent 2 }}
{{- end }}
{{- end -}}
