output "tracking_uri" {
  description = "MLflow tracking URI inside the VPC: the airloom_mlflow connection's host."
  value       = "http://${aws_lb.mlflow.dns_name}"
}

output "load_balancer_arn_suffix" {
  description = "The load balancer's ARN suffix (the 5xx alarm's dimension)."
  value       = aws_lb.mlflow.arn_suffix
}

output "ecr_repository_url" {
  description = "Push the image built from containers/mlflow here."
  value       = aws_ecr_repository.mlflow.repository_url
}

output "database_secret_arn" {
  description = "RDS-managed secret holding the tracking store's password."
  value       = module.database.password_secret_arn
}
