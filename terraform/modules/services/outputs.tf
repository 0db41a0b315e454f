output "api_url" {
  description = "Public base URL: <api_url>/builder/graphql, <api_url>/marketplace/api/v1 and <api_url>/insights/api/v1."
  value       = aws_api_gateway_stage.v1.invoke_url
}

output "api_name" {
  description = "REST API name (the 5xx alarm's dimension)."
  value       = aws_api_gateway_rest_api.this.name
}

output "api_stage" {
  description = "Stage name (the 5xx alarm's dimension)."
  value       = aws_api_gateway_stage.v1.stage_name
}

output "usage_plan_ids" {
  description = "Usage plan id per tier: attach customers' API keys to these."
  value       = { for tier, plan in aws_api_gateway_usage_plan.tier : tier => plan.id }
}

output "ecr_repository_urls" {
  description = "Where to push each service image (built from containers/<service>)."
  value       = { for key, repo in aws_ecr_repository.service : key => repo.repository_url }
}

output "task_security_group_ids" {
  description = "Service => security group of its tasks."
  value       = { for key, service in module.service : key => service.security_group_id }
}

output "database_secret_arn" {
  description = "RDS-managed secret holding the services' database password."
  value       = module.database.password_secret_arn
}

output "studio_url" {
  description = "Airloom Studio as people open it: <api_url>/app/builder/studio/."
  value       = local.studio_url
}

output "user_pool_id" {
  description = "Cognito user pool people sign in with (add people here, with custom:tenant and a group)."
  value       = aws_cognito_user_pool.people.id
}

output "studio_client_id" {
  description = "Studio's Cognito app client: the aud of the ID tokens the services accept."
  value       = aws_cognito_user_pool_client.studio.id
}

output "sign_in_domain" {
  description = "Host of the hosted sign-in pages: <prefix>.auth.<region>.amazoncognito.com."
  value       = "${aws_cognito_user_pool_domain.people.domain}.auth.${data.aws_region.current.name}.amazoncognito.com"
}

output "insights_url" {
  description = "Insights as people's browsers reach it (Studio's Dashboard): <api_url>/app/insights; programs use <api_url>/insights with an API key."
  value       = local.insights_public_url
}

output "insights_internal_url" {
  description = "Insights inside the VPC (the internal load balancer): the airloom_insights connection's host for MWAA's report and refresh DAGs."
  value       = local.insights_internal_url
}

output "kafka_client_security_group_id" {
  description = "Security group of every service's tasks that MSK must admit on its IAM listener (9098)."
  value       = aws_security_group.kafka_clients.id
}

output "glue_connection_name" {
  description = "The Glue NETWORK connection the tenants' Glue streaming jobs reach MSK through (null unless the builder publishes Glue streaming jobs)."
  value       = one(aws_glue_connection.streaming[*].name)
}
