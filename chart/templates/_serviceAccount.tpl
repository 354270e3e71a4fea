{{- /*
The ServiceAccount a component's pods run as.
*/ -}}

{{- /* ServiceAccount a component's pods run as. A component gets its own when serviceAccount.create
is set or Istio is on (Istio tells callers apart by their ServiceAccount). Args: root id c. */ -}}
{{- define "svcgen.serviceAccount.create" -}}
{{- $sa := .c.serviceAccount | default dict -}}
{{- $mesh := (.root.Values.global.mesh | default dict) -}}
{{- /* `create: false` with a name is an account made elsewhere (e.g. the one every version of a
service shares, created by one of them), even with Istio. */ -}}
{{- $elsewhere := and (hasKey $sa "create") (not $sa.create) $sa.name -}}
{{- if or $sa.create (and $mesh.istio (not $elsewhere)) -}}true{{- end -}}
{{- end -}}

{{- define "svcgen.serviceAccount.name" -}}
{{- $sa := .c.serviceAccount | default dict -}}
{{- if include "svcgen.serviceAccount.create" . -}}
  {{- default (include "svcgen.names.component" .) $sa.name -}}
{{- else -}}
  {{- default "default" $sa.name -}}
{{- end -}}
{{- end -}}
