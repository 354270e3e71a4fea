{{- /*
The spec of a Job: shared by job.yaml and the jobTemplate of cronjob.yaml.
*/ -}}

{{- /* A Job's spec as YAML: the `job` settings that are set, then the pod template. No selector:
Kubernetes generates a unique one per Job, so the runs of a CronJob never adopt each other's pods.
Args: root id c. */ -}}
{{- define "svcgen.job.spec" -}}
{{- $job := .c.job | default dict -}}
{{- $spec := dict -}}
{{- range $k := list "backoffLimit" "activeDeadlineSeconds" "ttlSecondsAfterFinished" "completions" "parallelism" -}}
  {{- $v := index $job $k -}}
  {{- if not (kindIs "invalid" $v) -}}
    {{- $_ := set $spec $k ($v | int64) -}}
  {{- end -}}
{{- end -}}
{{- with $spec -}}
  {{- toYaml . }}
{{ end -}}
template:
  {{- include "svcgen.pod.template" . | nindent 2 }}
{{- end -}}
