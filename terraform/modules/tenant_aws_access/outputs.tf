output "role_arn" {
  description = "The tenant's role, assumed through the connection by its workflows' AWS nodes."
  value       = aws_iam_role.tenant.arn
}

output "data_access_role_arn" {
  description = "The role Comprehend and Translate batch jobs run as (null unless one of them is in ai_services)."
  value       = one(aws_iam_role.data_access[*].arn)
}

output "connection_id" {
  description = "The Airflow connection to grant the tenant in the builder (kind connection)."
  value       = local.connection_id
}

output "connection_secret_arn" {
  description = "The Secrets Manager secret holding the connection."
  value       = aws_secretsmanager_secret.connection.arn
}

output "policy_json" {
  description = "The tenant role's policy (null when the tenant was given nothing): MWAA Serverless workflow roles (tenant_workflow_role) attach the same grants."
  value       = length(local.tenant_statements) > 0 ? data.aws_iam_policy_document.tenant.json : null
}
