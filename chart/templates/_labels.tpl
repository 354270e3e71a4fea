{{- /*
Labels: the standard set on every object, and the minimal, stable selector labels.
*/ -}}

{{- /* Selector labels: minimal and stable; user labels never go here. */ -}}
{{- define "svcgen.labels.selector" -}}
app.kubernetes.io/name: {{ include "svcgen.names.name" .root | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
app.kubernetes.io/component: {{ .id | quote }}
{{- end -}}

{{- /* Derives the labels for every object of a component once per render, into its memo as
`labels` (a dict) and `labelsYaml` (the same as YAML): standard ones, then global.labels, then the
component's. Args: root id c (c and id may be empty for objects of the release as a whole). */ -}}
{{- define "svcgen.labels.resolve" -}}
{{- include "svcgen.memo.entry" . -}}
{{- if not (hasKey .memo "labels") -}}
  {{- $g := .root.Values.global | default dict -}}
  {{- $labels := dict -}}
  {{- range $k, $v := ($g.labels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
  {{- if .c -}}
    {{- range $k, $v := (.c.labels | default dict) }}{{ $_ := set $labels $k $v }}{{ end -}}
  {{- end -}}
  {{- $_ := set $labels "helm.sh/chart" (include "svcgen.names.chart" .root) -}}
  {{- $_ := set $labels "app.kubernetes.io/managed-by" .root.Release.Service -}}
  {{- $_ := set $labels "app.kubernetes.io/name" (include "svcgen.names.name" .root) -}}
  {{- $_ := set $labels "app.kubernetes.io/instance" .root.Release.Name -}}
  {{- if .id -}}
    {{- $_ := set $labels "app.kubernetes.io/component" .id -}}
  {{- end -}}
  {{- if .root.Chart.AppVersion -}}
    {{- $_ := set $labels "app.kubernetes.io/version" (.root.Chart.AppVersion | toString | trunc 63 | trimSuffix "-") -}}
  {{- end -}}
  {{- $_ := set $labels "app.kubernetes.io/part-of" (.root.Values.global.project | default (include "svcgen.names.name" .root)) -}}
  {{- $_ := set .memo "labels" $labels -}}
  {{- $_ := set .memo "labelsYaml" (toYaml $labels) -}}
{{- end -}}
{{- end -}}

{{- /* Labels for every object of a component, as YAML (svcgen.labels.resolve). Args: root id c. */ -}}
{{- define "svcgen.labels.standard" -}}
{{- include "svcgen.labels.resolve" . -}}
{{- .memo.labelsYaml -}}
{{- end -}}
