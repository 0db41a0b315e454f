variable "name" {
  description = "Environment prefix, e.g. airloom-dev: the tenant's roles are <name>-tenant-<tenant>[-data]."
  type        = string
}

variable "tenant" {
  description = "The Airloom tenant this access is for (a tenant name: lowercase letters, digits, _)."
  type        = string

  validation {
    # The same rule as Airloom's TENANT_PATTERN: no dot, so stream/<tenant>.* never matches a
    # tenant whose name merely starts with this one.
    condition     = can(regex("^[a-z][a-z0-9_]{0,30}$", var.tenant))
    error_message = "tenant must be an Airloom tenant name: a lowercase letter, then up to 30 lowercase letters, digits or _."
  }
}

variable "mwaa_execution_role_arn" {
  description = "MWAA's execution role: the only principal that may assume the tenant's role; null without a provisioned environment (then workflow_role_arn)."
  type        = string
  default     = null

  validation {
    condition     = var.mwaa_execution_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.mwaa_execution_role_arn))
    error_message = "mwaa_execution_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "workflow_role_arn" {
  description = "Without a provisioned environment: the tenant's MWAA Serverless workflow role, the only principal that may assume the tenant's role. Named in a condition (aws:PrincipalArn), so it may be created after this role."
  type        = string
  default     = null

  validation {
    condition     = var.workflow_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$", var.workflow_role_arn))
    error_message = "workflow_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "kms_key_arn" {
  description = "The environment's key: encrypts the connection secret and the lake's objects."
  type        = string
}

variable "ai_services" {
  description = "What the tenant's workflows may call: a subset of comprehend, translate, textract, rekognition, transcribe, polly, bedrock, kinesis, glue."
  type        = set(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for service in var.ai_services :
      contains(["comprehend", "translate", "textract", "rekognition", "transcribe", "polly", "bedrock", "kinesis", "glue"], service)
    ])
    error_message = "ai_services may only name comprehend, translate, textract, rekognition, transcribe, polly, bedrock, kinesis and glue."
  }
}

variable "s3_read_prefixes" {
  description = "S3 locations (s3://bucket or s3://bucket/prefix) the tenant's nodes read: documents, images, audio."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    # Letters IAM reads as wildcards or variables (*, ?, $) would widen the grant: refused.
    condition = alltrue([
      for uri in var.s3_read_prefixes :
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+-]+)*/?$", uri)) && !can(regex("/\\.{1,2}(/|$)", uri))
    ])
    error_message = "s3_read_prefixes: each must be s3://bucket or s3://bucket/prefix, without *, ?, $, . or .. segments."
  }
}

variable "s3_write_prefixes" {
  description = "S3 locations (s3://bucket or s3://bucket/prefix) the tenant's nodes write: speech files, job output."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for uri in var.s3_write_prefixes :
      can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+-]+)*/?$", uri)) && !can(regex("/\\.{1,2}(/|$)", uri))
    ])
    error_message = "s3_write_prefixes: each must be s3://bucket or s3://bucket/prefix, without *, ?, $, . or .. segments."
  }
}

variable "bedrock_model_ids" {
  description = "Bedrock model ids (anthropic.claude-3-haiku-20240307-v1:0) or inference profile ids (eu.amazon.nova-lite-v1:0) the tenant may invoke."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition = alltrue([
      for id in var.bedrock_model_ids : can(regex("^([a-z0-9-]+\\.)*[a-z0-9-]+\\.[A-Za-z0-9.:_-]+$", id))
    ])
    error_message = "bedrock_model_ids: each must be a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0 or an inference profile id such as eu.amazon.nova-lite-v1:0."
  }
}

variable "connections_prefix" {
  description = "MWAA's Secrets Manager backend prefix for connections (the mwaa module's connections_prefix)."
  type        = string
  default     = "airflow/connections"
}

variable "recovery_window_days" {
  description = "Days a deleted connection secret can still be restored."
  type        = number
  default     = 7
}
