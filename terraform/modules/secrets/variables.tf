variable "name" {
  description = "Prefix, e.g. airloom-dev (used in descriptions)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts every secret."
  type        = string
}

variable "kafka_bootstrap_servers" {
  description = "MSK bootstrap servers for IAM auth (host:9098,...)."
  type        = string
}

variable "mlflow_tracking_uri" {
  description = "MLflow tracking URI inside the VPC."
  type        = string
}

variable "lake_root" {
  description = "Root of the lake, e.g. s3://airloom-dev-lake-data-123456789012."
  type        = string
}

variable "insights_url" {
  description = "The insights service inside the VPC (http://<internal load balancer>:8004): airloom_insights' host."
  type        = string
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored."
  type        = number
  default     = 7
}
