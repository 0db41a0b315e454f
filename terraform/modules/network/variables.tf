variable "name" {
  description = "Prefix for every resource, e.g. airloom-dev."
  type        = string
}

variable "cidr_block" {
  description = "The VPC's address range; split into two public and two private subnets."
  type        = string
  default     = "10.20.0.0/16"
}

variable "availability_zones" {
  description = "The two zones to use, named explicitly so a zone AWS adds never moves subnets."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both zones (cheaper, not zone-redundant) instead of one per zone."
  type        = bool
  default     = false
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints (MWAA's own APIs and what its workers call)."
  type        = list(string)
  default = [
    "airflow.api", "airflow.env", "airflow.ops", "logs", "monitoring", "sqs", "kms",
    "secretsmanager", "sts", "ecr.api", "ecr.dkr",
  ]
  nullable = false # null: this list
}

variable "kms_key_arn" {
  description = "KMS key that encrypts the flow-log group."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept."
  type        = number
  default     = 365
}
