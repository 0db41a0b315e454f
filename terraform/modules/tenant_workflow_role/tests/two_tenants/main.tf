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
}

variable "kms_key_arn" { type = string }
variable "lake_bucket_arn" { type = string }
variable "models_bucket_arn" { type = string }
variable "msk_cluster_arn" { type = string }
variable "definitions_s3_prefix" { type = string }
variable "code_package_s3_uri" { type = string }

output "statements" {
  value = { acme = module.acme.statements, acme_corp = module.acme_corp.statements }
}
