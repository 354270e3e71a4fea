{{- /*
Inline secretEnv values, which live in the chart-owned Secret `<component>-env`.
*/ -}}

{{- /* Key of an inline secretEnv value in the chart-owned Secret `<component>-env`. Qualified by the
container so two containers may give one variable different values. Args: container env. */ -}}
{{- define "svcgen.secretEnv.key" -}}
{{- printf "%s.%s" .container .env -}}
{{- end -}}

{{- /* Data of the chart-owned Secret `<component>-env`: every inline secretEnv value, as YAML
{key: value}; empty when there is none. The pod's checksum/secret annotation hashes exactly this. */ -}}
{{- define "svcgen.secretEnv.data" -}}
{{- $data := dict -}}
{{- range $group := list (.c.initContainers | default dict) (.c.containers | default dict) -}}
  {{- range $cname, $ctr := $group -}}
    {{- range $env, $ref := ($ctr.secretEnv | default dict) -}}
      {{- if and $ref (not (kindIs "invalid" $ref.value)) -}}
        {{- $_ := set $data (include "svcgen.secretEnv.key" (dict "container" $cname "env" $env)) (include "svcgen.values.scalar" $ref.value) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- if $data -}}{{- toYaml $data -}}{{- end -}}
{{- end -}}
