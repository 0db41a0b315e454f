output "connection_secret_arns" {
  description = "Connection id => secret ARN."
  value = merge(
    { for id, secret in aws_secretsmanager_secret.connection : id => secret.arn },
    { airloom_insights = aws_secretsmanager_secret.insights_connection.arn },
  )
}
