variable "name" {
  description = "Prefix, e.g. airloom-dev."
  type        = string
}

variable "image_tag" {
  description = "Tag of both service images in their ECR repositories."
  type        = string
  default     = "latest"
}

variable "desired_count" {
  description = "Tasks per service (they keep no state outside PostgreSQL, so they scale out)."
  type        = number
  default     = 1
}

variable "cpu" {
  description = "Task CPU units per service."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Task memory per service in MiB."
  type        = number
  default     = 1024
}

variable "db_instance_class" {
  description = "RDS instance size of the services' database."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_multi_az" {
  description = "Keep a standby of the services' database in the second zone."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the database, load balancer and user pool from deletion."
  type        = bool
  default     = true
}

variable "tiers" {
  description = "API Gateway usage plans: per tier a request quota per period and a rate limit."
  nullable    = false
  type = map(object({
    quota_limit  = number
    quota_period = string
    rate_limit   = number
    burst_limit  = number
  }))
  default = {
    free       = { quota_limit = 1000, quota_period = "DAY", rate_limit = 5, burst_limit = 10 }
    pro        = { quota_limit = 100000, quota_period = "MONTH", rate_limit = 50, burst_limit = 100 }
    enterprise = { quota_limit = 5000000, quota_period = "MONTH", rate_limit = 500, burst_limit = 1000 }
  }
}

variable "vpc_id" {
  description = "VPC everything runs in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range (the load balancer accepts traffic from it)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for tasks, database and the internal load balancer."
  type        = list(string)
}

variable "mwaa_environment_name" {
  description = "MWAA environment the services trigger and watch through invoke_rest_api; null when the stack has no provisioned MWAA (publish_target mwaa_serverless)."
  type        = string
  default     = null
}

variable "mwaa_environment_arn" {
  description = "ARN of that environment."
  type        = string
  default     = null
}

variable "mwaa_bucket" {
  description = "MWAA source bucket: the builder publishes DAG files under dags/."
  type        = string
  default     = null
}

variable "mwaa_bucket_arn" {
  description = "ARN of the MWAA source bucket."
  type        = string
  default     = null
}

variable "mlflow_tracking_uri" {
  description = "MLflow tracking URI the marketplace reads the registry from."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket for the load balancer's access logs."
  type        = string
}

variable "kms_key_arn" {
  description = "Environment key."
  type        = string
}

variable "log_retention_days" {
  description = "Days API Gateway and WAF logs are kept."
  type        = number
  default     = 365
}

variable "manage_api_gateway_logging_role" {
  description = "Set API Gateway's account-wide CloudWatch role (once per account and region)."
  type        = bool
  default     = true
}

variable "airflow_webserver_url" {
  description = "MWAA's webserver host (module mwaa's webserver_url, without a scheme): Studio's links to Airflow."
  type        = string
  default     = null
}

variable "sign_in_domain_prefix" {
  description = "Prefix of the Cognito hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com); empty: <name>-<account id>."
  type        = string
  default     = ""
  validation {
    condition     = var.sign_in_domain_prefix == "" || can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.sign_in_domain_prefix))
    error_message = "sign_in_domain_prefix must be lowercase letters, digits and hyphens (at most 63, no hyphen at either end)."
  }
}

variable "studio_extra_callback_urls" {
  description = "Further sign-in callback URLs for Studio, e.g. https://studio.example.com/app/builder/studio/signin/callback behind a custom domain."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "studio_extra_logout_urls" {
  description = "Further sign-out URLs for Studio (its /studio/ page behind a custom domain)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "people_throttle" {
  description = "Requests per second (and burst) API Gateway allows on each of people's /app/* methods, for all people together; usage plans only meter API keys."
  type = object({
    rate_limit  = number
    burst_limit = number
  })
  default  = { rate_limit = 100, burst_limit = 200 }
  nullable = false
}

variable "msk_cluster_arn" {
  description = "MSK cluster the services send activity to (airloom.activity) with IAM auth; insights also consumes it."
  type        = string
  validation {
    condition     = can(regex("^arn:[a-z-]+:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[^/]+/[^/]+$", var.msk_cluster_arn))
    error_message = "msk_cluster_arn must be an MSK cluster ARN: arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>."
  }
}

variable "kafka_bootstrap_servers" {
  description = "MSK bootstrap servers of the IAM listener (host:9098,...): AIRLOOM_KAFKA_BOOTSTRAP_SERVERS of every service."
  type        = string
}

variable "lake_bucket" {
  description = "The lake's data bucket: insights lands activity under _airloom/activity and lists reports under _airloom/reports."
  type        = string
}

variable "lake_bucket_arn" {
  description = "ARN of that bucket."
  type        = string
}

variable "insights_bedrock_model_id" {
  description = "Bedrock model or inference profile id insights reads questions with (AIRLOOM_INSIGHTS_TRANSLATOR=bedrock, tool use required); empty: the offline translator."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = can(regex("^([a-z0-9-]+\\.)*[a-z0-9-]+\\.[A-Za-z0-9.:_-]+$", var.insights_bedrock_model_id)) || var.insights_bedrock_model_id == ""
    error_message = "insights_bedrock_model_id must be a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0, an inference profile id such as eu.amazon.nova-lite-v1:0, or empty."
  }
}

variable "serverless_definitions_s3_prefix" {
  description = "s3://bucket/prefix the builder uploads MWAA Serverless definitions to; null (with serverless_code_package_s3_uri): the builder gets no MWAA Serverless permission."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_definitions_s3_prefix == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?$", var.serverless_definitions_s3_prefix))
    error_message = "serverless_definitions_s3_prefix must be s3://bucket/prefix."
  }
}

variable "serverless_code_package_s3_uri" {
  description = "s3://bucket/key of the MWAA Serverless code package whose version the builder reads."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_code_package_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+[^/]$", var.serverless_code_package_s3_uri))
    error_message = "serverless_code_package_s3_uri must be s3://bucket/key of an object."
  }
}

# The builder's AIRLOOM_BUILDER_PUBLISH_TARGET and, for mwaa_serverless, its serverless_*
# settings (workflow_builder_api/core/config.py); none of them is set for dag_file.
variable "publish_target" {
  description = "Where the builder publishes workflows: dag_file (DAG files in the MWAA bucket's dags/) or mwaa_serverless (workflows of Amazon MWAA Serverless; needs the serverless_* definitions, code package, role and log group variables)."
  type        = string
  default     = "dag_file"
  nullable    = false
  validation {
    condition     = contains(["dag_file", "mwaa_serverless"], var.publish_target)
    error_message = "publish_target must be dag_file or mwaa_serverless."
  }
}

variable "serverless_role_arn_pattern" {
  description = "Each tenant's MWAA Serverless execution role, {tenant} its one placeholder (the stack's tenant_workflow_role_arn_pattern)."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_role_arn_pattern == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[^{}]*\\{tenant\\}[^{}]*$", var.serverless_role_arn_pattern))
    error_message = "serverless_role_arn_pattern must be an IAM role ARN with {tenant} once, e.g. arn:aws:iam::123456789012:role/airloom-dev-{tenant}-workflows."
  }
}

variable "serverless_log_group_pattern" {
  description = "The workflows' CloudWatch Logs group, {tenant} for the tenant (each tenant's role writes only its own), e.g. /airloom-dev/workflows/{tenant}."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_log_group_pattern == null || can(regex("^[A-Za-z0-9_./#-]*\\{tenant\\}[A-Za-z0-9_./#-]*$", var.serverless_log_group_pattern))
    error_message = "serverless_log_group_pattern must be a log group name with {tenant} once, e.g. /airloom-dev/workflows/{tenant}."
  }
}

variable "serverless_sagemaker_image_uri" {
  description = "The training image (<training repository URL>:<tag>) train and train_embedder nodes run as SageMaker training jobs; null: no SageMaker training (those nodes are refused on MWAA Serverless)."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_sagemaker_image_uri == null || can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9._/-]+:[A-Za-z0-9._-]+$", var.serverless_sagemaker_image_uri))
    error_message = "serverless_sagemaker_image_uri must be an ECR image with a tag, <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>."
  }
}

variable "serverless_sagemaker_role_arn_pattern" {
  description = "Each tenant's SageMaker training role, {tenant} its one placeholder; required with serverless_sagemaker_image_uri."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_sagemaker_role_arn_pattern == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[^{}]*\\{tenant\\}[^{}]*$", var.serverless_sagemaker_role_arn_pattern))
    error_message = "serverless_sagemaker_role_arn_pattern must be an IAM role ARN with {tenant} once."
  }
}

variable "serverless_sagemaker_mlflow_secret_id" {
  description = "The MLflow connection's secret (name or ARN) training jobs read MLflow's login from; null: the builder's default."
  type        = string
  default     = null
}

variable "serverless_glue_role_arn_pattern" {
  description = "Each tenant's Glue streaming job role, {tenant} its one placeholder; with serverless_glue_stream_script_s3_uri, spark_stream nodes run as Glue streaming jobs; null: they are refused on MWAA Serverless."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_glue_role_arn_pattern == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[^{}]*\\{tenant\\}[^{}]*$", var.serverless_glue_role_arn_pattern))
    error_message = "serverless_glue_role_arn_pattern must be an IAM role ARN with {tenant} once."
  }
}

variable "serverless_glue_stream_script_s3_uri" {
  description = "s3://bucket/key of Airloom's glue_stream_entrypoint.py, the Glue streaming job's script."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_glue_stream_script_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.py$", var.serverless_glue_stream_script_s3_uri))
    error_message = "serverless_glue_stream_script_s3_uri must be s3://bucket/key of a .py file."
  }
}

variable "serverless_glue_python_files_s3_uri" {
  description = "s3://bucket/key of the airloom package zip Glue puts on the job's path (--extra-py-files)."
  type        = string
  default     = null
  validation {
    condition     = var.serverless_glue_python_files_s3_uri == null || can(regex("^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+\\.zip$", var.serverless_glue_python_files_s3_uri))
    error_message = "serverless_glue_python_files_s3_uri must be s3://bucket/key of a .zip file."
  }
}
