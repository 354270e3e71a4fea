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

{{- /* Replicas that normally run: the autoscaler's minimum when one is rendered, else `replicas`
(default 1). Arg: component values. */ -}}
{{- define "svcgen.component.replicas" -}}
{{- if include "svcgen.scaling.engine" . -}}
  {{- include "svcgen.scaling.min" .scaling -}}
{{- else -}}
  {{- kindIs "invalid" .replicas | ternary 1 .replicas | int64 -}}
{{- end -}}
{{- end -}}

{{- /* How the component's persistent volumes (`size`) are claimed: "template" when each pod gets
its own claim from volumeClaimTemplates (StatefulSet), "shared" when pvc.yaml renders one claim
`<name>-<volume>` that every pod mounts (Deployment). Arg: component values. */ -}}
{{- define "svcgen.component.claims" -}}
{{- $kind := include "svcgen.component.kind" . -}}
{{- if eq $kind "StatefulSet" -}}
  template
{{- else if eq $kind "Deployment" -}}
  shared
{{- end -}}
{{- end -}}
