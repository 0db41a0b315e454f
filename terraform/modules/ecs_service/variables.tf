variable "name" {
  description = "Service name, e.g. airloom-dev-marketplace."
  type        = string
}

variable "cluster_arn" {
  description = "ECS cluster the service runs in."
  type        = string
}

variable "image" {
  description = "Container image (ECR URI with tag)."
  type        = string
}

variable "container_port" {
  description = "Port the container listens on."
  type        = number
}

variable "cpu" {
  description = "Task CPU units (256 = 0.25 vCPU)."
  type        = number
  default     = 512
}

variable "memory" {
  description = "Task memory in MiB."
  type        = number
  default     = 1024
}

variable "desired_count" {
  description = "Tasks kept running."
  type        = number
  default     = 1
}

variable "command" {
  description = "Command the container runs (its image's CMD when empty)."
  type        = list(string)
  default     = []
}

variable "environment" {
  description = "Plain environment variables."
  type        = map(string)
  default     = {}
}

variable "secrets" {
  description = "Environment variables read from Secrets Manager: name => secret ARN (with optional :json-key::)."
  type        = map(string)
  default     = {}
}

variable "secret_arns" {
  description = "Secrets the task's execution role may read (the ARNs behind `secrets`)."
  type        = list(string)
  default     = []
}

variable "task_policy_json" {
  description = "IAM policy of the task role: what the application itself may call."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
}

variable "vpc_id" {
  description = "VPC the tasks run in."
  type        = string
}

variable "vpc_cidr_block" {
  description = "The VPC's range: tasks reach PostgreSQL and internal load balancers in it."
  type        = string
}

variable "extra_security_group_ids" {
  description = "More security groups for the tasks, beside their own (e.g. one a Kafka cluster admits)."
  type        = list(string)
  default     = []
  nullable    = false
}

variable "load_balancer_security_group_id" {
  description = "Security group of the load balancer, the only source tasks accept traffic from."
  type        = string
}

variable "target_group_arn" {
  description = "Load balancer target group the tasks register with."
  type        = string
}

variable "kms_key_arn" {
  description = "Key for the log group and for decrypting secrets."
  type        = string
}

variable "log_retention_days" {
  description = "Days container logs are kept."
  type        = number
  default     = 365
}
