variable "environment" {
  description = "Environment name: dev, staging or prod."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "vpc_cidr_block" {
  description = "The VPC's address range."
  type        = string
}

variable "availability_zones" {
  description = "The two availability zones the environment spans."
  type        = list(string)
}

variable "single_nat_gateway" {
  description = "One NAT gateway instead of one per zone."
  type        = bool
}

variable "airflow_version" {
  description = "Airflow 3 version MWAA runs."
  type        = string
}

variable "mwaa_environment_class" {
  description = "MWAA environment class."
  type        = string
}

variable "mwaa_min_workers" {
  description = "MWAA minimum workers."
  type        = number
}

variable "mwaa_max_workers" {
  description = "MWAA maximum workers."
  type        = number
}

variable "mwaa_schedulers" {
  description = "MWAA schedulers."
  type        = number
}

variable "kafka_broker_instance_type" {
  description = "MSK broker size."
  type        = string
}

variable "kafka_brokers_per_zone" {
  description = "MSK brokers per zone."
  type        = number
}

variable "db_instance_class" {
  description = "RDS size for MLflow's and the services' databases."
  type        = string
}

variable "db_multi_az" {
  description = "Standby databases in the second zone."
  type        = bool
}

variable "service_desired_count" {
  description = "Tasks per service (builder, marketplace, insights, MLflow)."
  type        = number
}

variable "image_tag" {
  description = "Tag of the service and MLflow images to run."
  type        = string
  default     = "latest"
}

variable "protect_from_deletion" {
  description = "Deletion protection on databases and load balancers; keep buckets on destroy."
  type        = bool
}

variable "alarm_emails" {
  description = "Who is emailed when an alarm fires."
  type        = list(string)
  default     = []
}

variable "consumer_lag" {
  description = "Consumer group and topic pairs whose lag raises an alarm."
  type = list(object({
    consumer_group = string
    topic          = string
    max_lag        = number
  }))
  default = []
}

variable "api_tiers" {
  description = "Usage plans per tier; null keeps the services module's defaults."
  type = map(object({
    quota_limit  = number
    quota_period = string
    rate_limit   = number
    burst_limit  = number
  }))
  default = null
}

variable "manage_api_gateway_logging_role" {
  description = "Set API Gateway's account-wide CloudWatch role from this environment."
  type        = bool
  default     = true
}

variable "studio_url" {
  description = "Airloom Studio's URL as a browser reaches it, linked from Airflow's navigation; empty: no link."
  type        = string
  default     = ""
}

variable "insights_bedrock_model_id" {
  description = "Bedrock model or inference profile id insights reads questions with; empty: the offline translator."
  type        = string
  default     = ""
}

variable "tenants" {
  description = "Tenants whose workflows reach AWS: tenant => the AI services it may call (comprehend, translate, textract, rekognition, transcribe, polly, bedrock, kinesis, glue), its S3 read and write locations, Bedrock models, granted shared topics and secrets (full ARNs) for its MWAA Serverless workflows. Each gets a role and the connection aws_<tenant>; empty: none."
  type = map(object({
    ai_services       = optional(set(string), [])
    s3_read_prefixes  = optional(list(string), [])
    s3_write_prefixes = optional(list(string), [])
    bedrock_model_ids = optional(list(string), [])
    granted_topics    = optional(list(string), [])
    secret_arns       = optional(list(string), [])
  }))
  default  = {}
  nullable = false
}

variable "airflow_target" {
  description = "Where workflows run: mwaa (a provisioned MWAA environment; the builder publishes DAG files to it) or mwaa_serverless (no provisioned environment, nor its alarms; the builder publishes workflows of Amazon MWAA Serverless, run under each tenant's workflow role, in the private subnets)."
  type        = string
  default     = "mwaa"
  nullable    = false
  validation {
    condition     = contains(["mwaa", "mwaa_serverless"], var.airflow_target)
    error_message = "airflow_target must be mwaa or mwaa_serverless."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints. Null: the network module's list with provisioned MWAA; without it, that list less MWAA's own APIs and SQS, which nothing else calls. An empty list: none, everything reaches AWS through the NAT (dev's cost figure in docs/aws.md)."
  type        = list(string)
  default     = null
}

variable "training_image_tag" {
  description = "Tag of the SageMaker training image (its ECR repository, output ecr_repositories.sagemaker-training) that train and train_embedder nodes run on MWAA Serverless."
  type        = string
  default     = "latest"
  nullable    = false
  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$", var.training_image_tag))
    error_message = "training_image_tag must be a Docker tag: letters, digits, _ . - (at most 128, not starting with . or -)."
  }
}
