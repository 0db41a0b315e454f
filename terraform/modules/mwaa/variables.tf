variable "name" {
  description = "MWAA environment name, e.g. airloom-dev; also the prefix of its resources."
  type        = string
}

variable "airflow_version" {
  description = "Apache Airflow version MWAA runs: the newest 3.x MWAA offers (Python 3.12)."
  type        = string
  default     = "3.0.6"

  validation {
    condition     = can(regex("^3\\.\\d+\\.\\d+$", var.airflow_version))
    error_message = "Airloom needs Airflow 3: airflow_version must look like 3.x.y."
  }
}

variable "environment_class" {
  description = "MWAA environment class (mw1.micro, mw1.small, mw1.medium, mw1.large, ...)."
  type        = string
  default     = "mw1.small"
}

variable "min_workers" {
  description = "Workers MWAA always keeps."
  type        = number
  default     = 1
}

variable "max_workers" {
  description = "Workers MWAA scales up to under load."
  type        = number
  default     = 2
}

variable "schedulers" {
  description = "Scheduler count (2 to 5 on mw1.small and larger)."
  type        = number
  default     = 2
}

variable "min_webservers" {
  description = "Minimum Airflow web servers (API servers on Airflow 3)."
  type        = number
  default     = 2
}

variable "max_webservers" {
  description = "Maximum Airflow web servers (API servers on Airflow 3)."
  type        = number
  default     = 2
}

variable "log_level" {
  description = "Level of the logs each Airflow component sends to CloudWatch."
  type        = string
  default     = "INFO"
}

variable "vpc_id" {
  description = "VPC the environment runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Exactly two private subnets in different zones."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Customer-managed key for the environment, its bucket and logs."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket that receives the MWAA bucket's access logs."
  type        = string
}

variable "lake_bucket_arns" {
  description = "Buckets tasks read and write (the lake's data and model buckets)."
  type        = list(string)
}

variable "msk_cluster_arn" {
  description = "Kafka cluster tasks produce to and consume from with IAM auth."
  type        = string
}

variable "sagemaker_execution_role_arn" {
  description = "Role the deploy DAG passes to SageMaker models and endpoints."
  type        = string
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects (dev only)."
  type        = bool
  default     = false
}

variable "studio_url" {
  description = "Airloom Studio's URL as a browser reaches it (the workflow builder's /studio/), for the link in Airflow's navigation (option airloom.studio_url); empty: no link."
  type        = string
  default     = ""

  validation {
    condition     = var.studio_url == "" || can(regex("^https?://", var.studio_url))
    error_message = "studio_url must be empty or an absolute http(s) URL (Studio is on the workflow builder's origin, not Airflow's)."
  }
}

variable "tenant_role_names" {
  description = "Names of the tenants' roles (tenant_aws_access) tasks may assume through a tenant's aws_<tenant> connection; empty: none."
  type        = list(string)
  default     = []
  nullable    = false
}
