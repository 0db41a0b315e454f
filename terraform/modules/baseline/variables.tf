variable "name" {
  description = "Prefix for every resource, e.g. airloom-dev."
  type        = string
}

variable "key_deletion_window_days" {
  description = "Days a scheduled deletion of the KMS key waits (7 to 30)."
  type        = number
  default     = 30
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the access-log bucket with its objects (dev only)."
  type        = bool
  default     = false
}
