output "data_bucket" {
  description = "Dataset bucket name: the airloom_lake connection's s3:// root."
  value       = module.data.name
}

output "models_bucket" {
  description = "Model artifact bucket name: MLflow's artifact root."
  value       = module.models.name
}

output "bucket_arns" {
  description = "ARNs of both buckets, for task and service IAM policies."
  value       = [module.data.arn, module.models.arn]
}

output "data_bucket_arn" {
  description = "Dataset bucket ARN."
  value       = module.data.arn
}

output "models_bucket_arn" {
  description = "Model artifact bucket ARN."
  value       = module.models.arn
}
