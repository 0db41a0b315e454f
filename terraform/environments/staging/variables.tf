variable "region" {
  description = "AWS region of the environment."
  type        = string
  default     = "eu-west-1"
}

variable "alarm_emails" {
  description = "Who is emailed when an alarm fires."
  type        = list(string)
  default     = []
}

variable "image_tag" {
  description = "Tag of the service and MLflow images to run."
  type        = string
  default     = "latest"
}

variable "studio_url" {
  description = "Airloom Studio's URL as a browser reaches it (the workflow builder's /studio/), linked from Airflow's navigation; empty: no link."
  type        = string
  default     = ""
}
