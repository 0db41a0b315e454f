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

variable "tenants" {
  description = "Tenants whose workflows reach AWS: tenant => the AI services it may call (comprehend, translate, textract, rekognition, transcribe, polly, bedrock, kinesis, glue), its S3 read and write locations, Bedrock models, granted shared topics and secrets (full ARNs) for its MWAA Serverless workflows. Each gets a role (see docs/aws.md) and the connection aws_<tenant>; empty: none."
  type = map(object({
    ai_services       = optional(set(string), [])
    s3_read_prefixes  = optional(list(string), [])
    s3_write_prefixes = optional(list(string), [])
    bedrock_model_ids = optional(list(string), [])
    granted_topics    = optional(list(string), [])
    secret_arns       = optional(list(string), [])
  }))
  default  = {}
  nullable = false
}

variable "airflow_target" {
  description = "Where workflows run: mwaa (a provisioned environment, DAG files; the default while the marketplace's deploy, validate and benchmark runs need it) or mwaa_serverless (no provisioned MWAA environment, the builder publishes to Amazon MWAA Serverless; docs/aws.md's dev cost)."
  type        = string
  default     = "mwaa"
}

variable "training_image_tag" {
  description = "Tag of the SageMaker training image train and train_embedder nodes run on MWAA Serverless."
  type        = string
  default     = "latest"
}
