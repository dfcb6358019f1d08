{{/* Labels of one service's objects; app.kubernetes.io/name is the service's one name. */}}
{{- define "handoff.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/part-of: handoff
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{- define "handoff.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* The Secret holding a service's certificate, key and CA. */}}
{{- define "handoff.tlsSecret" -}}
{{ .name }}-grpc-tls
{{- end }}

{{/* Seconds the kubelet waits after preStop begins: the preStop pause plus the drain bound plus a margin. */}}
{{- define "handoff.terminationGraceSeconds" -}}
{{- $s := .Values.shutdown -}}
{{- add $s.preStopSeconds (div (add $s.shutdownTimeoutMs 999) 1000) $s.terminationMarginSeconds -}}
{{- end }}

{{/* The services whose `peers` name this one: the only pods its NetworkPolicy lets reach the gRPC port. */}}
{{- define "handoff.callers" -}}
{{- $callers := list -}}
{{- range $other, $spec := .root.Values.services -}}
{{- if has $.name (values $spec.peers) }}{{ $callers = append $callers $other }}{{ end -}}
{{- end -}}
{{- toJson (sortAlpha $callers) -}}
{{- end }}
