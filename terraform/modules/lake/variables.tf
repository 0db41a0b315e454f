variable "name" {
  description = "Prefix, e.g. airloom-dev."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts both buckets."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket that receives both buckets' access logs."
  type        = string
}

variable "raw_infrequent_after_days" {
  description = "Days before raw ingested data moves to STANDARD_IA."
  type        = number
  default     = 30
}

variable "raw_glacier_after_days" {
  description = "Days before raw ingested data moves to Glacier Instant Retrieval."
  type        = number
  default     = 90
}

variable "scratch_expire_after_days" {
  description = "Days before intermediate Spark output under tmp/ is deleted."
  type        = number
  default     = 7
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the buckets with their objects (dev only)."
  type        = bool
  default     = false
}
