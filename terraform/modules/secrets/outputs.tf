output "connection_secret_arns" {
  description = "Connection id => secret ARN."
  value       = { for id, secret in aws_secretsmanager_secret.connection : id => secret.arn }
}
