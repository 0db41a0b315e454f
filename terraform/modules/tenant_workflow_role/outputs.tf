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

output "training_role_arn" {
  description = "The tenant's SageMaker training role (CreateTrainingJob's RoleArn; the builder's SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN with {tenant})."
  value       = aws_iam_role.training.arn
}

output "glue_streaming_role_arn" {
  description = "The tenant's Glue streaming role (the spark_stream job's Role; the builder's SERVERLESS_GLUE_ROLE_ARN_PATTERN with {tenant})."
  value       = aws_iam_role.glue_streaming.arn
}

output "training_statements" {
  description = "The training role's statements, for tests and reviews."
  value       = local.training_statements
}

output "glue_streaming_statements" {
  description = "The Glue streaming role's statements, for tests and reviews."
  value       = local.glue_statements
}
