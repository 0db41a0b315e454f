# The lake: one bucket for datasets (Parquet written by Airloom's Spark jobs), one for model
# artifacts (MLflow's artifact store). Raw data ages into cheaper storage; scratch expires.

data "aws_caller_identity" "current" {}

module "data" {
  source            = "../s3_bucket"
  bucket_name       = "${var.name}-lake-data-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = var.access_log_bucket
  force_destroy     = var.force_destroy
  lifecycle_rules = [
    {
      id               = "raw-ages-to-cheaper-storage"
      prefix           = "raw/"
      infrequent_after = var.raw_infrequent_after_days
      glacier_after    = var.raw_glacier_after_days
    },
    {
      id           = "scratch-expires"
      prefix       = "tmp/"
      expire_after = var.scratch_expire_after_days
    },
  ]
}

module "models" {
  source            = "../s3_bucket"
  bucket_name       = "${var.name}-lake-models-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = var.access_log_bucket
  force_destroy     = var.force_destroy
  # Old model versions stay registered in MLflow; their artifacts are rarely read.
  lifecycle_rules = [
    {
      id               = "artifacts-age-to-infrequent-access"
      prefix           = "mlflow/"
      infrequent_after = 90
    },
  ]
}
