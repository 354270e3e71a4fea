{{- /*
One container of a pod: image, env, resources, probes, lifecycle, securityContext, mounts.
Container helpers take a dict with root, id, c and also name (container name), ctr (its values)
and init (true for init containers).
*/ -}}

{{- /* Container securityContext. restricted: no privilege escalation, every capability dropped,
read-only root filesystem, non-root. baseline: only no privilege escalation, because an image that
starts as root usually needs its default capabilities and a writable root. The container's own
securityContext overrides field by field; capabilities.add is added, capabilities.drop replaces
the default [ALL]. A function of c.securityProfile and ctr.securityContext (svcgen.memo.call).
Args: c ctr. */ -}}
{{- define "svcgen.container.securityContext" -}}
{{- $restricted := ne (.c.securityProfile | default "restricted") "baseline" -}}
{{- $user := .ctr.securityContext | default dict -}}
{{- $sc := dict "allowPrivilegeEscalation" false -}}
{{- if $restricted -}}
  {{- $_ := set $sc "readOnlyRootFilesystem" true -}}
  {{- $_ := set $sc "runAsNonRoot" true -}}
{{- end -}}
{{- range $k := list "runAsUser" "runAsGroup" "runAsNonRoot" "readOnlyRootFilesystem" "allowPrivilegeEscalation" "privileged" -}}
  {{- $v := index $user $k -}}
  {{- if not (kindIs "invalid" $v) -}}{{- $_ := set $sc $k $v -}}{{- end -}}
{{- end -}}
{{- /* Kubernetes rejects privileged together with allowPrivilegeEscalation false. */ -}}
{{- if and $user.privileged (not (hasKey $user "allowPrivilegeEscalation")) -}}
  {{- $_ := unset $sc "allowPrivilegeEscalation" -}}
{{- end -}}
{{- $userCaps := $user.capabilities | default dict -}}
{{- $drop := ternary (list "ALL") (list) $restricted -}}
{{- if not (kindIs "invalid" $userCaps.drop) -}}{{- $drop = $userCaps.drop -}}{{- end -}}
{{- $caps := dict -}}
{{- with $userCaps.add -}}{{- $_ := set $caps "add" . -}}{{- end -}}
{{- with $drop -}}{{- $_ := set $caps "drop" . -}}{{- end -}}
{{- with $caps -}}{{- $_ := set $sc "capabilities" . -}}{{- end -}}
{{- toYaml $sc -}}
{{- end -}}

{{- /* Port a container's probes are derived from: its TCP port named `http`, else its first TCP
port by name; empty when it has no TCP port. Args: ctr. */ -}}
{{- define "svcgen.container.probePort" -}}
{{- $ports := .ctr.ports | default dict -}}
{{- $tcp := list -}}
{{- range $name, $p := $ports -}}
  {{- if eq ($p.protocol | default "TCP") "TCP" -}}{{- $tcp = append $tcp $name -}}{{- end -}}
{{- end -}}
{{- if has "http" $tcp -}}http{{- else if $tcp -}}{{- first $tcp -}}{{- end -}}
{{- end -}}

{{- /* One probe as YAML, or nothing; a function of its arguments (svcgen.memo.call). Args: p
(probe values or nil), derivedPort (port name or empty), derive (true when a probe without a
handler may use a tcpSocket check on derivedPort). */ -}}
{{- define "svcgen.container.probe" -}}
{{- $p := .p | default dict -}}
{{- if ne $p.enabled false -}}
  {{- $probe := dict -}}
  {{- if $p.httpGet -}}
    {{- $h := dict "path" ($p.httpGet.path | default "/") "port" $p.httpGet.port -}}
    {{- with $p.httpGet.scheme -}}{{- $_ := set $h "scheme" . -}}{{- end -}}
    {{- with $p.httpGet.host -}}{{- $_ := set $h "host" . -}}{{- end -}}
    {{- with $p.httpGet.httpHeaders -}}{{- $_ := set $h "httpHeaders" . -}}{{- end -}}
    {{- $_ := set $probe "httpGet" $h -}}
  {{- else if $p.tcpSocket -}}
    {{- $_ := set $probe "tcpSocket" (dict "port" $p.tcpSocket.port) -}}
  {{- else if $p.exec -}}
    {{- $_ := set $probe "exec" (dict "command" $p.exec.command) -}}
  {{- else if $p.grpc -}}
    {{- $g := dict "port" $p.grpc.port -}}
    {{- with $p.grpc.service -}}{{- $_ := set $g "service" . -}}{{- end -}}
    {{- $_ := set $probe "grpc" $g -}}
  {{- else if and .derive .derivedPort -}}
    {{- $_ := set $probe "tcpSocket" (dict "port" .derivedPort) -}}
  {{- end -}}
  {{- if $probe -}}
    {{- range $k := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "successThreshold" "failureThreshold" -}}
      {{- $v := index $p $k -}}
      {{- if not (kindIs "invalid" $v) -}}{{- $_ := set $probe $k $v -}}{{- end -}}
    {{- end -}}
    {{- toYaml $probe -}}
  {{- end -}}
{{- end -}}
{{- end -}}

{{- /* A lifecycle handler (exec, httpGet or sleep) as YAML. Args: h. */ -}}
{{- define "svcgen.container.lifecycleHandler" -}}
{{- $h := .h | default dict -}}
{{- if $h.exec -}}
  {{- toYaml (dict "exec" (dict "command" $h.exec.command)) -}}
{{- else if $h.httpGet -}}
  {{- $g := dict "path" ($h.httpGet.path | default "/") "port" $h.httpGet.port -}}
  {{- with $h.httpGet.scheme -}}{{- $_ := set $g "scheme" . -}}{{- end -}}
  {{- with $h.httpGet.host -}}{{- $_ := set $g "host" . -}}{{- end -}}
  {{- with $h.httpGet.httpHeaders -}}{{- $_ := set $g "httpHeaders" . -}}{{- end -}}
  {{- toYaml (dict "httpGet" $g) -}}
{{- else if $h.sleep -}}
  {{- toYaml (dict "sleep" (dict "seconds" $h.sleep.seconds)) -}}
{{- end -}}
{{- end -}}

{{- /* True when a container mounts something of its own at /tmp (then it gets no scratch mount). */ -}}
{{- define "svcgen.container.mountsTmp" -}}
{{- range $vname, $m := (.ctr.volumeMounts | default dict) -}}
  {{- if and $m (eq (trimSuffix "/" (toString $m.mountPath)) "/tmp") -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The order of a container's secretEnv and env names, as a JSON list. Kubernetes expands
$(VAR) only from variables listed earlier, so: the secret references first (sorted), then each
plain variable once every plain variable it refers to is listed ($$(VAR) is an escape), the ready
ones sorted in each pass; variables in a cycle last. The model's Container.env_order is the same
rule, and lint reports what still cannot resolve. Arg: container values. */ -}}
{{- define "svcgen.container.envOrder" -}}
{{- $env := .env | default dict -}}
{{- $order := keys (.secretEnv | default dict) | sortAlpha -}}
{{- $done := dict -}}
{{- range $order }}{{- $_ := set $done . true -}}{{- end -}}
{{- $pending := list -}}
{{- $deps := dict -}}
{{- $anyRefs := false -}}
{{- range $k := keys $env | sortAlpha -}}
  {{- if not (hasKey $done $k) -}}
    {{- $pending = append $pending $k -}}
    {{- $refs := list -}}
    {{- $value := toString (index $env $k) -}}
    {{- /* Every reference holds "$(": the dearer regular expressions only run where one is. */ -}}
    {{- if contains "$(" $value -}}
      {{- range $m := regexFindAll "\\$+\\([-._a-zA-Z][-._a-zA-Z0-9]*\\)" $value -1 -}}
        {{- $dollars := regexFind "^\\$+" $m -}}
        {{- $ref := trimSuffix ")" (trimPrefix "(" (trimPrefix $dollars $m)) -}}
        {{- if and (eq (mod (len $dollars) 2) 1) (hasKey $env $ref) -}}
          {{- $refs = append $refs $ref -}}
        {{- end -}}
      {{- end -}}
    {{- end -}}
    {{- $_ := set $deps $k $refs -}}
    {{- if $refs -}}{{- $anyRefs = true -}}{{- end -}}
  {{- end -}}
{{- end -}}
{{- /* Without references the sorted names are the order: no passes needed. */ -}}
{{- if not $anyRefs -}}
  {{- $order = concat $order $pending -}}
  {{- $pending = list -}}
{{- end -}}
{{- range $pass := until (len $pending) -}}
  {{- $waiting := list -}}
  {{- range $k := $pending -}}
    {{- $ready := true -}}
    {{- range $d := index $deps $k -}}
      {{- if or (eq $d $k) (not (hasKey $done $d)) -}}{{- $ready = false -}}{{- end -}}
    {{- end -}}
    {{- if $ready -}}
      {{- $order = append $order $k -}}
      {{- $_ := set $done $k true -}}
    {{- else -}}
      {{- $waiting = append $waiting $k -}}
    {{- end -}}
  {{- end -}}
  {{- $pending = $waiting -}}
{{- end -}}
{{- concat $order $pending | toJson -}}
{{- end -}}

{{- /* One container (or init container) as YAML. Args: root id c name ctr init componentName. */ -}}
{{- define "svcgen.container.spec" -}}
{{- $ctr := .ctr -}}
{{- $path := printf "components.%s.%s.%s" .id (ternary "initContainers" "containers" .init) .name -}}
{{- if not ($ctr.image | default dict).repository -}}
  {{- fail (printf "%s.image.repository: every container needs an image repository" $path) -}}
{{- end -}}
name: {{ .name | quote }}
image: {{ include "svcgen.image.ref" $ctr.image | quote }}
{{- with $ctr.image.pullPolicy }}
imagePullPolicy: {{ . }}
{{- end }}
{{- with $ctr.command }}
command:
  {{- range . }}
  - {{ include "svcgen.values.scalar" . | quote }}
  {{- end }}
{{- end }}
{{- with $ctr.args }}
args:
  {{- range . }}
  - {{ include "svcgen.values.scalar" . | quote }}
  {{- end }}
{{- end }}
{{- with $ctr.workingDir }}
workingDir: {{ . | quote }}
{{- end }}
{{- with $ctr.ports }}
ports:
  {{- range $pname, $p := . }}
  - name: {{ $pname | quote }}
    containerPort: {{ $p.containerPort | int64 }}
    protocol: {{ $p.protocol | default "TCP" }}
  {{- end }}
{{- end }}
{{- if or $ctr.env $ctr.secretEnv }}
env:
  {{- $env := $ctr.env | default dict }}
  {{- range $k := include "svcgen.container.envOrder" $ctr | fromJsonArray }}
  {{- if not (hasKey ($ctr.secretEnv | default dict) $k) }}
  {{- /* Plain values are quoted: an env value is always a string in Kubernetes. */}}
  - name: {{ $k | quote }}
    value: {{ include "svcgen.values.scalar" (index $env $k) | quote }}
  {{- else }}
  {{- $ref := index $ctr.secretEnv $k | default dict }}
  - name: {{ $k | quote }}
    valueFrom:
      secretKeyRef:
        {{- if not (kindIs "invalid" $ref.value) }}
        {{- /* Inline values live in the chart-owned Secret, never in the pod spec. */}}
        name: {{ printf "%s-env" $.componentName }}
        key: {{ include "svcgen.secretEnv.key" (dict "container" $.name "env" $k) | quote }}
        {{- else }}
        {{- if not (and $ref.secret $ref.key) }}
        {{- fail (printf "%s.secretEnv.%s: give secret and key (a reference to an existing Secret), or value" $path $k) }}
        {{- end }}
        name: {{ $ref.secret | quote }}
        key: {{ $ref.key | quote }}
        {{- if not (kindIs "invalid" $ref.optional) }}
        optional: {{ $ref.optional }}
        {{- end }}
        {{- end }}
  {{- end }}
  {{- end }}
{{- end }}
{{- with $ctr.envFrom }}
envFrom:
  {{- range $i, $src := . }}
  {{- $ref := dict "name" (default $src.configMap $src.secret) -}}
  {{- if not (kindIs "invalid" $src.optional) }}{{ $_ := set $ref "optional" $src.optional }}{{ end }}
  - {{ ternary "secretRef" "configMapRef" (not (empty $src.secret)) }}:
      {{- toYaml $ref | nindent 6 }}
    {{- with $src.prefix }}
    prefix: {{ . | quote }}
    {{- end }}
  {{- end }}
{{- end }}
{{- /* Resources are always set: global.defaultResources when the container gives none. */ -}}
{{- $res := $ctr.resources | default dict -}}
{{- if not (or $res.requests $res.limits) -}}
  {{- $res = .root.Values.global.defaultResources | default dict -}}
{{- end -}}
{{- $resOut := dict -}}
{{- with $res.requests }}{{ $_ := set $resOut "requests" . }}{{ end -}}
{{- with $res.limits }}{{ $_ := set $resOut "limits" . }}{{ end }}
resources:
  {{- include "svcgen.memo.yaml" (dict "root" .root "value" $resOut) | nindent 2 }}
{{- if not .init }}
  {{- /* Probes: init containers take none. */ -}}
  {{- $probes := $ctr.probes | default dict -}}
  {{- /* Derived probes check that a serving pod listens; a Job's pods do not serve. */ -}}
  {{- $port := "" -}}
  {{- if include "svcgen.component.serves" .c -}}
    {{- $port = include "svcgen.container.probePort" (dict "ctr" $ctr) -}}
  {{- end -}}
  {{- with (include "svcgen.memo.call" (dict "root" .root "template" "svcgen.container.probe" "args" (dict "p" $probes.startup "derivedPort" $port "derive" (not (kindIs "invalid" $probes.startup))))) }}
startupProbe:
  {{- . | nindent 2 }}
  {{- end }}
  {{- with (include "svcgen.memo.call" (dict "root" .root "template" "svcgen.container.probe" "args" (dict "p" $probes.readiness "derivedPort" $port "derive" true))) }}
readinessProbe:
  {{- . | nindent 2 }}
  {{- end }}
  {{- with (include "svcgen.memo.call" (dict "root" .root "template" "svcgen.container.probe" "args" (dict "p" $probes.liveness "derivedPort" $port "derive" true))) }}
livenessProbe:
  {{- . | nindent 2 }}
  {{- end }}
{{- end }}
{{- with $ctr.lifecycle }}
  {{- $hooks := dict -}}
  {{- with (include "svcgen.container.lifecycleHandler" (dict "h" .postStart)) }}{{ $_ := set $hooks "postStart" (fromYaml .) }}{{ end -}}
  {{- with (include "svcgen.container.lifecycleHandler" (dict "h" .preStop)) }}{{ $_ := set $hooks "preStop" (fromYaml .) }}{{ end -}}
  {{- with $hooks }}
lifecycle:
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
securityContext:
  {{- $scArgs := dict "c" (dict "securityProfile" .c.securityProfile) "ctr" (dict "securityContext" $ctr.securityContext) }}
  {{- include "svcgen.memo.call" (dict "root" .root "template" "svcgen.container.securityContext" "args" $scArgs) | nindent 2 }}
{{- $mounts := list -}}
{{- range $key, $m := ($ctr.volumeMounts | default dict) -}}
  {{- $m = $m | default dict -}}
  {{- /* The key names the volume unless `volume` does (one volume mounted twice). */ -}}
  {{- $vname := $m.volume | default $key -}}
  {{- if not (hasKey ($.c.volumes | default dict) $vname) -}}
    {{- fail (printf "%s.volumeMounts.%s: no volume %q in components.%s.volumes; declare it there" $path $key $vname $.id) -}}
  {{- end -}}
  {{- $mount := dict "name" $vname "mountPath" $m.mountPath -}}
  {{- with $m.subPath -}}{{- $_ := set $mount "subPath" . -}}{{- end -}}
  {{- if not (kindIs "invalid" $m.readOnly) -}}{{- $_ := set $mount "readOnly" $m.readOnly -}}{{- end -}}
  {{- $mounts = append $mounts $mount -}}
{{- end -}}
{{- if not (include "svcgen.container.mountsTmp" .) -}}
  {{- $mounts = append $mounts (dict "name" (include "svcgen.volumes.tmpName" .) "mountPath" "/tmp") -}}
{{- end }}
volumeMounts:
  {{- include "svcgen.memo.yaml" (dict "root" .root "value" $mounts) | nindent 2 }}
{{- if not (kindIs "invalid" $ctr.stdin) }}
stdin: {{ $ctr.stdin }}
{{- end }}
{{- if not (kindIs "invalid" $ctr.tty) }}
tty: {{ $ctr.tty }}
{{- end }}
{{- end -}}
