variable "name_prefix" {
  description = "Prefix of the role's name, <name_prefix>-<tenant>-workflows (the stack passes airloom-<env>); the builder's role setting is the same pattern with {tenant}."
  type        = string
  default     = "airloom"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,29}$", var.name_prefix))
    error_message = "name_prefix must be lowercase letters, digits and - (at most 30), e.g. airloom-dev."
  }
}

variable "tenant" {
  description = "The Airloom tenant whose workflows run as this role (a tenant name: lowercase letters, digits, _)."
  type        = string

  validation {
    # Airloom's TENANT_PATTERN: no dot and no /, so acme.* and tenants/acme/* never reach a
    # tenant whose name merely starts with this one.
    condition     = can(regex("^[a-z][a-z0-9_]{0,30}$", var.tenant))
    error_message = "tenant must be an Airloom tenant name: a lowercase letter, then up to 30 lowercase letters, digits or _."
  }
}

variable "kms_key_arn" {
  description = "The environment's key: the lake's, the bucket's, the secrets' and the log group's encryption."
  type        = string
}

variable "lake_bucket_arn" {
  description = "The lake's data bucket: the role reads and writes only under tenants/<tenant>/."
  type        = string
}

variable "models_bucket_arn" {
  description = "The model-artifact bucket: the role reads and writes only under tenants/<tenant>/."
  type        = string
}

variable "msk_cluster_arn" {
  description = "The MSK cluster (IAM auth) the tenant's topics live on; null: no Kafka access."
  type        = string
  default     = null

  validation {
    condition     = var.msk_cluster_arn == null || can(regex("^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[^/]+/[^/]+$", var.msk_cluster_arn))
    error_message = "msk_cluster_arn must be an MSK cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)."
  }
}

variable "granted_topics" {
  description = "Shared topics the tenant was granted besides its own <tenant>.* (read and write, never create)."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    # IAM would read * and ? as wildcards: a grant is one topic, by its full name.
    condition     = alltrue([for topic in var.granted_topics : can(regex("^[A-Za-z0-9._-]{1,249}$", topic))])
    error_message = "granted_topics: each must be a topic name (letters, digits, . _ -), without * or ?."
  }
}

variable "definitions_s3_prefix" {
  description = "Where the builder uploads MWAA Serverless definitions (s3://bucket/prefix): the role reads <prefix>/<tenant>/ only."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+-]+)+/?$", var.definitions_s3_prefix))
    error_message = "definitions_s3_prefix must be s3://bucket/prefix, without *, ? or $."
  }
}

variable "code_package_s3_uri" {
  description = "The Airloom code package object (s3://bucket/key.zip, from `airloom code-package --upload`): the role reads it, at any version."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+-]+)+$", var.code_package_s3_uri))
    error_message = "code_package_s3_uri must be s3://bucket/key, without *, ? or $."
  }
}

variable "secret_arns" {
  description = "Secrets Manager secrets (full ARNs) the tenant's workflows may read: the platform connections they need and what the tenant was granted."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for arn in var.secret_arns : can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", arn))])
    error_message = "secret_arns: each must be a full secret ARN, without wildcards."
  }
}

variable "aws_service_policies" {
  description = "Name => policy JSON to attach as well: the stack passes tenant_aws_access's policy_json (the AI services, Kinesis, Glue and S3 locations the tenant was given) as aws-services. Keys must be known at plan."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "tenant_aws_role_arn" {
  description = "The tenant's role for AWS services (tenant_aws_access), which its aws_<tenant> connection assumes: the workflows may assume it and no other role. Null: the tenant has none."
  type        = string
  default     = null

  validation {
    condition     = var.tenant_aws_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.tenant_aws_role_arn))
    error_message = "tenant_aws_role_arn must be a role ARN, without wildcards."
  }
}

variable "log_retention_days" {
  description = "Days the workflow log group keeps task logs."
  type        = number
  default     = 365
}

variable "training_image_repository_arn" {
  description = "The ECR repository of the SageMaker training image (serving's training_repository_arn): the tenant's training role pulls from it alone."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:ecr:[a-z0-9-]+:[0-9]{12}:repository/[a-z0-9][a-z0-9._/-]*$", var.training_image_repository_arn))
    error_message = "training_image_repository_arn must be an ECR repository ARN (arn:aws:ecr:<region>:<account>:repository/<name>), without wildcards."
  }
}

variable "mlflow_secret_arn" {
  description = "The secret holding MLflow's connection (the airloom_mlflow connection's): training jobs read MLflow's credentials from it."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.mlflow_secret_arn))
    error_message = "mlflow_secret_arn must be a full secret ARN, without wildcards."
  }
}

variable "vpc_id" {
  description = "Airloom's VPC: training jobs (VpcConfig) and Glue streaming jobs (their NETWORK connection) place their network interfaces there and nowhere else; null: neither role may create any."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null || can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must be a VPC id (vpc-…)."
  }
}

variable "glue_code_s3_uris" {
  description = "The Glue streaming job's code objects (s3://bucket/key): the script (glue_stream_entrypoint.py) and the python files zip; the Glue role reads exactly these."
  type        = list(string)
  default     = []
  nullable    = false

  validation {
    condition     = alltrue([for uri in var.glue_code_s3_uris : can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[A-Za-z0-9!_.'()=+-]+)+$", uri))])
    error_message = "glue_code_s3_uris: each must be s3://bucket/key, without *, ? or $."
  }
}

variable "glue_connection_name" {
  description = "The Glue NETWORK connection the streaming jobs use in Airloom's VPC (the builder's SERVERLESS_GLUE_CONNECTION); null: none."
  type        = string
  default     = null

  validation {
    condition     = var.glue_connection_name == null || can(regex("^[A-Za-z0-9_.-]{1,255}$", var.glue_connection_name))
    error_message = "glue_connection_name must be a connection name, without * or ?."
  }
}
