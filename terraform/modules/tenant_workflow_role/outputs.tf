output "role_arn" {
  description = "The tenant's MWAA Serverless execution role (CreateWorkflow's RoleArn)."
  value       = aws_iam_role.workflows.arn
}

output "role_name" {
  description = "<name_prefix>-<tenant>-workflows."
  value       = aws_iam_role.workflows.name
}

output "log_group_name" {
  description = "The log group for CreateWorkflow's LoggingConfiguration.LogGroupName."
  value       = aws_cloudwatch_log_group.workflows.name
}

output "statements" {
  description = "The role's own statements (sid, actions, resources, conditions), for tests and reviews."
  value       = local.statements
}
