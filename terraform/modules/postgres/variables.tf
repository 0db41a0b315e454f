variable "name" {
  description = "Instance identifier, e.g. airloom-dev-mlflow."
  type        = string
}

variable "database_name" {
  description = "Database created on the instance."
  type        = string
}

variable "username" {
  description = "Master user; its password is generated and kept in Secrets Manager by RDS."
  type        = string
}

variable "engine_version" {
  description = "PostgreSQL major version."
  type        = string
  default     = "16"
}

variable "instance_class" {
  description = "Instance size, e.g. db.t4g.micro (dev) or db.m7g.large (prod)."
  type        = string
  default     = "db.t4g.micro"
}

variable "allocated_storage_gb" {
  description = "Initial storage in GiB (grows automatically up to 5x)."
  type        = number
  default     = 20
}

variable "multi_az" {
  description = "Keep a standby in the second zone."
  type        = bool
  default     = false
}

variable "backup_retention_days" {
  description = "Days automated backups are kept."
  type        = number
  default     = 7
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (turn off only to tear down dev)."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC the instance runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the DB subnet group."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to connect on 5432."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "Key for storage, Performance Insights and the generated password secret."
  type        = string
}
