{{- /*
Facts about a component that every template asks: is it rendered, which kind of workload runs it,
how many replicas normally run. Each fact has exactly one helper; templates select kinds
positively (`eq $kind "StatefulSet"`), so adding a kind is one template plus its model fields.

Per-component helpers in every _*.tpl take a dict: root (the top-level context $), id (the
component id), c (the component's values). The helpers here take the component's values alone.
No helper ranges over .Values.components: cost stays linear in the number of components.
*/ -}}

{{- /* "true" when the component is rendered: set and not `enabled: false`. Arg: component values. */ -}}
{{- define "svcgen.component.enabled" -}}
{{- include "svcgen.values.enabled" . -}}
{{- end -}}

{{- /* The component's workload kind; Deployment when unset. Arg: component values. */ -}}
{{- define "svcgen.component.kind" -}}
{{- .kind | default "Deployment" -}}
{{- end -}}

{{- /* "true" for the kinds whose pods keep running to serve (Deployment, StatefulSet, DaemonSet):
they get a Service, an ingress, probes derived from their ports and the `helm test` check. Mirrors
Component.serves in the values model. Arg: component values. */ -}}
{{- define "svcgen.component.serves" -}}
{{- if has (include "svcgen.component.kind" .) (list "Deployment" "StatefulSet" "DaemonSet") -}}
  true
{{- end -}}
{{- end -}}

{{- /* "true" for the kinds that run a number of replicas (Deployment, StatefulSet): `replicas`,
`scaling` and a PodDisruptionBudget apply. Mirrors Component.replicated. Arg: component values. */ -}}
{{- define "svcgen.component.replicated" -}}
{{- if has (include "svcgen.component.kind" .) (list "Deployment" "StatefulSet") -}}
  true
{{- end -}}
{{- end -}}

{{- /* "true" for the kinds whose pods run to completion (Job, CronJob): `job` applies and the
pods get its restartPolicy. Arg: component values. */ -}}
{{- define "svcgen.component.runsToCompletion" -}}
{{- if has (include "svcgen.component.kind" .) (list "Job" "CronJob") -}}
  true
{{- end -}}
{{- end -}}

{{- /* Replicas that normally run: the autoscaler's minimum when one is rendered, else `replicas`
(default 1); empty for kinds that do not run a number of replicas. Arg: component values. */ -}}
{{- define "svcgen.component.replicas" -}}
{{- if include "svcgen.component.replicated" . -}}
  {{- if include "svcgen.scaling.engine" . -}}
    {{- include "svcgen.scaling.min" .scaling -}}
  {{- else -}}
    {{- kindIs "invalid" .replicas | ternary 1 .replicas | int64 -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* The Helm hook annotations of a component's objects as YAML, or nothing when the component
is not a hook Job. The Job gets its hook weight; the objects it needs (its ConfigMaps, Secret and
ServiceAccount) get the same phases and delete policy one weight earlier, so that they exist,
current, when the Job starts: a pre-upgrade hook runs before the release's ordinary objects are
updated, and Helm deletes `hook-succeeded` objects only once every hook of the phase succeeded.
Args: c, and owned (true for the objects the Job needs). */ -}}
{{- define "svcgen.component.hookAnnotations" -}}
{{- $job := .c.job | default dict -}}
{{- if and (eq (include "svcgen.component.kind" .c) "Job") $job.hook -}}
  {{- $weight := int64 ($job.hook.weight | default 0) -}}
  {{- $delete := $job.hook.deletePolicy | default (list "before-hook-creation" "hook-succeeded") -}}
  {{- if .owned -}}
    {{- $weight = sub $weight 1 -}}
  {{- end -}}
  {{- toYaml (dict "helm.sh/hook" (join "," $job.hook.phases) "helm.sh/hook-weight" (toString $weight) "helm.sh/hook-delete-policy" (join "," $delete)) -}}
{{- end -}}
{{- end -}}

{{- /* How the component's persistent volumes (`size`) are claimed: "template" when each pod gets
its own claim from volumeClaimTemplates (StatefulSet), "shared" when pvc.yaml renders one claim
`<name>-<volume>` that every pod mounts (Deployment, DaemonSet, Job, CronJob). Mirrors
Component.claims. Arg: component values. */ -}}
{{- define "svcgen.component.claims" -}}
{{- $kind := include "svcgen.component.kind" . -}}
{{- if eq $kind "StatefulSet" -}}
  template
{{- else if has $kind (list "Deployment" "DaemonSet" "Job" "CronJob") -}}
  shared
{{- end -}}
{{- end -}}
