{{- /*
The metadata block (name, labels, annotations) every object of a component carries.
*/ -}}

{{- /* Annotations for every object of a component: global.annotations then the component's; empty string when none. */ -}}
{{- define "svcgen.metadata.annotations" -}}
{{- $g := .root.Values.global | default dict -}}
{{- $ann := dict -}}
{{- include "svcgen.metadata.checkHelmAnnotations" (dict "ann" $g.annotations "path" "global.annotations") -}}
{{- range $k, $v := ($g.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- if .c -}}
  {{- include "svcgen.metadata.checkHelmAnnotations" (dict "ann" .c.annotations "path" (printf "components.%s.annotations" .id)) -}}
  {{- range $k, $v := (.c.annotations | default dict) }}{{ $_ := set $ann $k $v }}{{ end -}}
{{- end -}}
{{- with .extraPath -}}
  {{- include "svcgen.metadata.checkHelmAnnotations" (dict "ann" $.extra "path" .) -}}
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

{{- /* Fails on a value of a helm-managed annotation that helm would not understand: helm skips an
object whose hook phase it does not know (`pre-instal`), so a typo would silently take every
object of a component out of the release. Args: ann (a map or nil), path (its values path). */ -}}
{{- define "svcgen.metadata.checkHelmAnnotations" -}}
{{- $path := .path -}}
{{- range $k, $v := (.ann | default dict) -}}
  {{- if eq $k "helm.sh/hook" -}}
    {{- $phases := list "pre-install" "post-install" "pre-upgrade" "post-upgrade" "pre-delete" "post-delete" "pre-rollback" "post-rollback" "test" "test-success" -}}
    {{- range (splitList "," (toString $v)) -}}
      {{- if and (trim .) (not (has (lower (trim .)) $phases)) -}}
        {{- fail (printf "%s: helm.sh/hook %q is not a Helm hook phase (one of %s): helm would skip every object that carries it; for a Job run as a hook use job.hook.phases" $path (trim .) (join ", " $phases)) -}}
      {{- end -}}
    {{- end -}}
  {{- else if eq $k "helm.sh/hook-delete-policy" -}}
    {{- $policies := list "before-hook-creation" "hook-succeeded" "hook-failed" -}}
    {{- range (splitList "," (toString $v)) -}}
      {{- if and (trim .) (not (has (trim .) $policies)) -}}
        {{- fail (printf "%s: helm.sh/hook-delete-policy %q is not a Helm hook delete policy (one of %s)" $path (trim .) (join ", " $policies)) -}}
      {{- end -}}
    {{- end -}}
  {{- else if eq $k "helm.sh/hook-weight" -}}
    {{- if not (regexMatch "^\\s*[-+]?[0-9]+\\s*$" (toString $v)) -}}
      {{- fail (printf "%s: helm.sh/hook-weight %q is not a whole number" $path (toString $v)) -}}
    {{- end -}}
  {{- else if eq $k "helm.sh/resource-policy" -}}
    {{- if ne (lower (trim (toString $v))) "keep" -}}
      {{- fail (printf "%s: helm.sh/resource-policy %q means nothing to helm; its one policy is keep" $path (toString $v)) -}}
    {{- end -}}
  {{- end -}}
{{- end -}}
{{- end -}}
