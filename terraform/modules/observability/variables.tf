variable "name" {
  description = "Prefix, e.g. airloom-dev."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the alarm topic."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each confirms by email)."
  type        = list(string)
  default     = []
}

variable "scheduler_log_group" {
  description = "MWAA scheduler log group (airflow-<env>-Scheduler); failed runs are counted from it. Required with provisioned_mwaa."
  type        = string
  default     = null
}

variable "provisioned_mwaa" {
  description = "The environment has a provisioned MWAA environment: watch its failed DAG runs (false with MWAA Serverless, which has no scheduler log group)."
  type        = bool
  default     = true
  nullable    = false
}

variable "msk_cluster_name" {
  description = "MSK cluster whose consumer lag is watched."
  type        = string
}

variable "consumer_lag" {
  description = "Consumer group and topic pairs to watch, with the offset lag that raises the alarm."
  type = list(object({
    consumer_group = string
    topic          = string
    max_lag        = number
  }))
  default = []
}

variable "api_name" {
  description = "API Gateway REST API whose 5xx rate is watched."
  type        = string
}

variable "api_stage" {
  description = "Its stage."
  type        = string
}

variable "mlflow_load_balancer_arn_suffix" {
  description = "MLflow's load balancer, whose 5xx rate is watched."
  type        = string
}

variable "max_5xx_rate" {
  description = "Share of requests answered 5xx that raises an alarm (0.05 = 5%)."
  type        = number
  default     = 0.05
}
