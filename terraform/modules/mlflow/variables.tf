variable "name" {
  description = "Prefix, e.g. airloom-dev."
  type        = string
}

variable "image_tag" {
  description = "Tag of the MLflow image in this module's ECR repository (built from containers/mlflow)."
  type        = string
  default     = "latest"
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  default     = 1024
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
  default     = 2048
}

variable "desired_count" {
  description = "Tracking server tasks."
  type        = number
  default     = 1
}

variable "db_instance_class" {
  description = "RDS instance size of the tracking store."
  type        = string
  default     = "db.t4g.micro"
}

variable "db_multi_az" {
  description = "Keep a standby of the tracking store in the second zone."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the database and load balancer from deletion."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC everything runs in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "Clients inside this range may reach the tracking server."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for tasks, database and the internal load balancer."
  type        = list(string)
}

variable "artifact_bucket" {
  description = "Bucket for model artifacts (the lake's models bucket)."
  type        = string
}

variable "artifact_bucket_arn" {
  description = "ARN of the artifact bucket."
  type        = string
}

variable "kms_key_arn" {
  description = "Environment key (database, logs, images, artifacts)."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket for the load balancer's access logs."
  type        = string
}
