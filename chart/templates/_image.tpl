{{- /*
Image references.
*/ -}}

{{- /* repository[:tag][@digest] */ -}}
{{- define "svcgen.image.ref" -}}
{{- $ref := .repository -}}
{{- if .tag -}}{{- $ref = printf "%s:%s" $ref (toString .tag) -}}{{- end -}}
{{- if .digest -}}{{- $ref = printf "%s@%s" $ref .digest -}}{{- end -}}
{{- $ref -}}
{{- end -}}
