variable "name" {
  description = "Prefix, e.g. airloom-dev."
  type        = string
}

variable "models_bucket_arn" {
  description = "Bucket holding the model artifacts endpoints load (the lake's models bucket)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key of the artifacts bucket and the image repository."
  type        = string
}
