variable "name" {
  description = "Cluster name and prefix, e.g. airloom-dev."
  type        = string
}

variable "kafka_version" {
  description = "Apache Kafka version MSK runs."
  type        = string
  default     = "3.8.x"
}

variable "broker_instance_type" {
  description = "Broker size, e.g. kafka.t3.small (dev) or kafka.m7g.large (prod)."
  type        = string
  default     = "kafka.t3.small"
}

variable "brokers_per_zone" {
  description = "Brokers in each of the two zones."
  type        = number
  default     = 1
}

variable "broker_volume_gb" {
  description = "EBS storage per broker, in GiB."
  type        = number
  default     = 100
}

variable "vpc_id" {
  description = "VPC the brokers run in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Two private subnets in different zones."
  type        = list(string)
}

variable "client_security_group_ids" {
  description = "Security groups allowed to reach the brokers (MWAA workers, services)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "Key that encrypts data at rest and the broker log group."
  type        = string
}

variable "log_retention_days" {
  description = "Days broker logs are kept."
  type        = number
  default     = 365
}
