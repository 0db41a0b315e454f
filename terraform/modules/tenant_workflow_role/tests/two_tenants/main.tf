# Two tenants side by side, acme and acme_corp (whose name starts with acme's), as the stack
# creates them: the test asserts neither role's statements reach the other's things.

module "acme" {
  source                = "../.."
  name_prefix           = "airloom-test"
  tenant                = "acme"
  kms_key_arn           = var.kms_key_arn
  lake_bucket_arn       = var.lake_bucket_arn
  models_bucket_arn     = var.models_bucket_arn
  msk_cluster_arn       = var.msk_cluster_arn
  definitions_s3_prefix = var.definitions_s3_prefix
  code_package_s3_uri   = var.code_package_s3_uri
  secret_arns           = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:airloom-test/acme/crm-AbCdEf"]
  # The redirects' roles: the same platform inputs for both tenants.
  training_image_repository_arn = var.training_image_repository_arn
  mlflow_secret_arn             = var.mlflow_secret_arn
  vpc_id                        = var.vpc_id
  glue_code_s3_uris             = var.glue_code_s3_uris
  glue_connection_name          = var.glue_connection_name
}

module "acme_corp" {
  source                = "../.."
  name_prefix           = "airloom-test"
  tenant                = "acme_corp"
  kms_key_arn           = var.kms_key_arn
  lake_bucket_arn       = var.lake_bucket_arn
  models_bucket_arn     = var.models_bucket_arn
  msk_cluster_arn       = var.msk_cluster_arn
  definitions_s3_prefix = var.definitions_s3_prefix
  code_package_s3_uri   = var.code_package_s3_uri
  secret_arns           = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:airloom-test/acme_corp/crm-GhIjKl"]

  training_image_repository_arn = var.training_image_repository_arn
  mlflow_secret_arn             = var.mlflow_secret_arn
  vpc_id                        = var.vpc_id
  glue_code_s3_uris             = var.glue_code_s3_uris
  glue_connection_name          = var.glue_connection_name
}

variable "kms_key_arn" { type = string }
variable "lake_bucket_arn" { type = string }
variable "models_bucket_arn" { type = string }
variable "msk_cluster_arn" { type = string }
variable "definitions_s3_prefix" { type = string }
variable "code_package_s3_uri" { type = string }
variable "training_image_repository_arn" { type = string }
variable "mlflow_secret_arn" { type = string }
variable "vpc_id" { type = string }
variable "glue_code_s3_uris" { type = list(string) }
variable "glue_connection_name" { type = string }

output "statements" {
  value = { acme = module.acme.statements, acme_corp = module.acme_corp.statements }
}

output "training_statements" {
  value = { acme = module.acme.training_statements, acme_corp = module.acme_corp.training_statements }
}

output "glue_streaming_statements" {
  value = { acme = module.acme.glue_streaming_statements, acme_corp = module.acme_corp.glue_streaming_statements }
}
