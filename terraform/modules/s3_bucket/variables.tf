variable "bucket_name" {
  description = "Globally unique bucket name."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key that encrypts every object (SSE-KMS with a bucket key)."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket that receives this bucket's server access logs."
  type        = string
}

variable "lifecycle_rules" {
  description = <<-EOT
    Lifecycle rules per key prefix: move current objects to STANDARD_IA and GLACIER_IR after
    the given days (null: never) and expire them (null: never).
  EOT
  type = list(object({
    id               = string
    prefix           = string
    infrequent_after = optional(number)
    glacier_after    = optional(number)
    expire_after     = optional(number)
  }))
  default = []
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete a bucket that still holds objects (dev only)."
  type        = bool
  default     = false
}
