output "service_name" {
  description = "The ECS service's name."
  value       = aws_ecs_service.this.name
}

output "task_role_arn" {
  description = "Role the application calls AWS with."
  value       = aws_iam_role.task.arn
}

output "security_group_id" {
  description = "The tasks' security group (databases allow it)."
  value       = aws_security_group.tasks.id
}

output "log_group" {
  description = "The container's log group."
  value       = aws_cloudwatch_log_group.this.name
}
