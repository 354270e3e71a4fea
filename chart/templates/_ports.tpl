{{- /*
Ports of a component: its container ports, its Service's ports, and the addresses clients use.
*/ -}}

{{- /* Container ports of a component (its containers, not init containers) by port name, derived
once per render into its memo as `containerPorts`: <name>: {containerPort, protocol, container}.
Port names are what Services and probes refer to, so a name used by two containers of one pod is
an error. Args: root id c. */ -}}
{{- define "svcgen.ports.resolveContainer" -}}
{{- include "svcgen.memo.entry" . -}}
{{- if not (hasKey .memo "containerPorts") -}}
  {{- $index := dict -}}
  {{- range $cname, $ctr := .c.containers -}}
    {{- range $pname, $p := ($ctr.ports | default dict) -}}
      {{- with (get $index $pname) -}}
        {{- fail (printf "components.%s.containers.%s.ports.%s: port name %q is also used by container %q; port names must be unique in a pod" $.id $cname $pname $pname .container) -}}
      {{- end -}}
      {{- $_ := set $index $pname (dict "containerPort" $p.containerPort "protocol" ($p.protocol | default "TCP") "container" $cname) -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .memo "containerPorts" $index -}}
{{- end -}}
{{- end -}}

{{- /* The container ports of svcgen.ports.resolveContainer as YAML. Args: root id c. */ -}}
{{- define "svcgen.ports.container" -}}
{{- include "svcgen.ports.resolveContainer" . -}}
{{- toYaml .memo.containerPorts -}}
{{- end -}}

{{- /* Resolved ports of a component's Service, derived once per render into its memo as
`servicePorts`: [{name, port, targetPort, protocol, nodePort?, appProtocol?}], sorted by name; an
empty list when service.enabled is false or the kind does not serve (svcgen.component.serves: a
Job's pods come and go). Without service.ports every container port is exposed
on its own number. A targetPort given by name (or defaulted to the Service port's name) must name
one of the component's container ports. Args: root id c. */ -}}
{{- define "svcgen.ports.resolveService" -}}
{{- include "svcgen.memo.entry" . -}}
{{- if not (hasKey .memo "servicePorts") -}}
  {{- $svc := .c.service | default dict -}}
  {{- $ports := list -}}
  {{- if and (ne $svc.enabled false) (include "svcgen.component.serves" .c) -}}
    {{- include "svcgen.ports.resolveContainer" . -}}
    {{- $index := .memo.containerPorts -}}
    {{- $type := $svc.type | default "ClusterIP" -}}
    {{- if $svc.ports -}}
      {{- range $name, $sp := $svc.ports -}}
        {{- $sp = $sp | default dict -}}
        {{- $target := $sp.targetPort | default $name -}}
        {{- $port := dict "name" $name -}}
        {{- if kindIs "string" $target -}}
          {{- $cp := get $index $target -}}
          {{- if not $cp -}}
            {{- fail (printf "components.%s.service.ports.%s: targetPort %q names no container port of this component (its container ports: %s); set targetPort to one of them" $.id $name $target (keys $index | sortAlpha | join ", " | default "none")) -}}
          {{- end -}}
          {{- $_ := set $port "targetPort" $target -}}
          {{- $_ := set $port "port" ($sp.port | default $cp.containerPort) -}}
          {{- $_ := set $port "protocol" ($sp.protocol | default $cp.protocol) -}}
        {{- else -}}
          {{- $protocol := "TCP" -}}
          {{- range $cp := $index -}}
            {{- if eq (int64 $cp.containerPort) (int64 $target) -}}{{- $protocol = $cp.protocol -}}{{- end -}}
          {{- end -}}
          {{- $_ := set $port "targetPort" $target -}}
          {{- $_ := set $port "port" ($sp.port | default $target) -}}
          {{- $_ := set $port "protocol" ($sp.protocol | default $protocol) -}}
        {{- end -}}
        {{- if $sp.nodePort -}}
          {{- if not (has $type (list "NodePort" "LoadBalancer")) -}}
            {{- fail (printf "components.%s.service.ports.%s.nodePort: a node port needs service.type NodePort or LoadBalancer, not %s" $.id $name $type) -}}
          {{- end -}}
          {{- $_ := set $port "nodePort" $sp.nodePort -}}
        {{- end -}}
        {{- with $sp.appProtocol -}}{{- $_ := set $port "appProtocol" . -}}{{- end -}}
        {{- $ports = append $ports $port -}}
      {{- end -}}
    {{- else -}}
      {{- range $name, $cp := $index -}}
        {{- $ports = append $ports (dict "name" $name "port" $cp.containerPort "targetPort" $name "protocol" $cp.protocol) -}}
      {{- end -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .memo "servicePorts" $ports -}}
{{- end -}}
{{- end -}}

{{- /* The Service ports of svcgen.ports.resolveService as YAML `ports: [...]`. Args: root id c. */ -}}
{{- define "svcgen.ports.service" -}}
{{- include "svcgen.ports.resolveService" . -}}
{{- toYaml (dict "ports" .memo.servicePorts) -}}
{{- end -}}

{{- /* "a, b, c" from a list of ports with names. Args: ports. */ -}}
{{- define "svcgen.ports.names" -}}
{{- $names := list -}}
{{- range .ports -}}{{- $names = append $names (toString .name) -}}{{- end -}}
{{- join ", " $names -}}
{{- end -}}

{{- /* Addresses a client uses to reach a component's Service, derived once per render into its memo
as `endpoints`: [{host, port, name, protocol, nodePort?}]; empty when it has no Service. A headless
Service resolves to pod IPs, so its clients use the container port, not the Service port. Shared by
NOTES.txt and the test hook. Args: root id c. */ -}}
{{- define "svcgen.ports.resolveEndpoints" -}}
{{- include "svcgen.ports.resolveService" . -}}
{{- if not (hasKey .memo "endpoints") -}}
  {{- $out := list -}}
  {{- $ports := .memo.servicePorts -}}
  {{- if $ports -}}
    {{- $svc := .c.service | default dict -}}
    {{- $host := printf "%s.%s.svc.cluster.local" (include "svcgen.names.service" .) .root.Release.Namespace -}}
    {{- $headless := eq ($svc.type | default "ClusterIP") "Headless" -}}
    {{- $index := dict -}}
    {{- if $headless -}}
      {{- include "svcgen.ports.resolveContainer" . -}}
      {{- $index = .memo.containerPorts -}}
    {{- end -}}
    {{- range $p := $ports -}}
      {{- $number := $p.port -}}
      {{- if $headless -}}
        {{- $number = kindIs "string" $p.targetPort | ternary (get $index (toString $p.targetPort)).containerPort $p.targetPort -}}
      {{- end -}}
      {{- $endpoint := dict "host" $host "port" (int64 $number) "name" $p.name "protocol" $p.protocol -}}
      {{- with $p.nodePort -}}{{- $_ := set $endpoint "nodePort" (int64 .) -}}{{- end -}}
      {{- $out = append $out $endpoint -}}
    {{- end -}}
  {{- end -}}
  {{- $_ := set .memo "endpoints" $out -}}
{{- end -}}
{{- end -}}

{{- /* The addresses of svcgen.ports.resolveEndpoints as YAML `endpoints: [...]`. Args: root id c. */ -}}
{{- define "svcgen.ports.endpoints" -}}
{{- include "svcgen.ports.resolveEndpoints" . -}}
{{- toYaml (dict "endpoints" .memo.endpoints) -}}
{{- end -}}
