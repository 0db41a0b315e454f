output "environment_name" {
  description = "MWAA environment name: pass it to `airloom deploy --environment`."
  value       = aws_mwaa_environment.this.name
}

output "environment_arn" {
  description = "MWAA environment ARN."
  value       = aws_mwaa_environment.this.arn
}

output "bucket_name" {
  description = "The environment's source bucket: pass it to `airloom deploy --bucket`."
  value       = module.bucket.name
}

output "bucket_arn" {
  description = "The environment's source bucket ARN."
  value       = module.bucket.arn
}

output "webserver_url" {
  description = "Airflow UI and REST API host (private: reachable from inside the VPC)."
  value       = aws_mwaa_environment.this.webserver_url
}

output "execution_role_arn" {
  description = "The environment's execution role."
  value       = aws_iam_role.execution.arn
}

output "security_group_id" {
  description = "Security group of MWAA's workers: allow it into Kafka and MLflow."
  value       = aws_security_group.mwaa.id
}

output "scheduler_log_group" {
  description = "CloudWatch log group of the schedulers (failed DAG runs are counted from it)."
  value       = split(":", aws_mwaa_environment.this.logging_configuration[0].scheduler_logs[0].cloud_watch_log_group_arn)[6]
}
