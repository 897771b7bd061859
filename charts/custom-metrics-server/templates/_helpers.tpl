{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "cms.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name. */}}
{{- define "cms.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if eq $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The ServiceAccount the pods run as: created with the full name, or an existing one ("default" unless named). */}}
{{- define "cms.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cms.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The server config text: `config` as YAML text (--set-file config=FILE) or a map rendered to YAML. */}}
{{- define "cms.config" -}}
{{- if kindIs "string" .Values.config -}}
{{- .Values.config -}}
{{- else -}}
{{- toYaml .Values.config -}}
{{- end -}}
{{- end -}}

{{- define "cms.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cms.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cms.labels" -}}
{{ include "cms.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The APIService spec fields that say how the aggregator trusts our serving certificate. */}}
{{- define "cms.apiserviceTrust" -}}
{{- if eq .Values.certificates.mode "selfSigned" }}
insecureSkipTLSVerify: true
{{- else if eq .Values.certificates.mode "secret" }}
caBundle: {{ required "certificates.secret.caBundle is required with certificates.mode=secret" .Values.certificates.secret.caBundle }}
{{- end }}
{{- end -}}

{{- define "cms.apiserviceAnnotations" -}}
{{- if eq .Values.certificates.mode "certManager" }}
annotations:
  cert-manager.io/inject-ca-from: {{ printf "%s/%s" .Release.Namespace (include "cms.fullname" .) }}
{{- end }}
{{- end -}}

{{- define "cms.tlsSecretName" -}}
{{- if eq .Values.certificates.mode "secret" -}}
{{- required "certificates.secret.name is required with certificates.mode=secret" .Values.certificates.secret.name -}}
{{- else -}}
{{- printf "%s-tls" (include "cms.fullname" .) -}}
{{- end -}}
{{- end -}}
