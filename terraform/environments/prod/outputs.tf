output "mwaa_environment_name" {
  description = "Pass to `airloom deploy --environment`."
  value       = module.airloom.mwaa_environment_name
}

output "mwaa_bucket" {
  description = "Pass to `airloom deploy --bucket`."
  value       = module.airloom.mwaa_bucket
}

output "airflow_webserver_url" {
  description = "Airflow UI and REST API (private)."
  value       = module.airloom.airflow_webserver_url
}

output "api_url" {
  description = "Public API base URL."
  value       = module.airloom.api_url
}

output "insights_url" {
  description = "Insights for Studio's Dashboard (people, Cognito)."
  value       = module.airloom.insights_url
}

output "studio_url" {
  description = "Airloom Studio for people."
  value       = module.airloom.studio_url
}

output "user_pool_id" {
  description = "Cognito user pool people sign in with."
  value       = module.airloom.user_pool_id
}

output "studio_client_id" {
  description = "Studio's Cognito app client id."
  value       = module.airloom.studio_client_id
}

output "sign_in_domain" {
  description = "Host of the hosted sign-in pages."
  value       = module.airloom.sign_in_domain
}

output "usage_plan_ids" {
  description = "Tier => usage plan id."
  value       = module.airloom.usage_plan_ids
}

output "ecr_repositories" {
  description = "Where to push each image."
  value       = module.airloom.ecr_repositories
}

output "tenant_aws_roles" {
  description = "Tenant => its AWS role."
  value       = module.airloom.tenant_aws_roles
}

output "tenant_aws_connections" {
  description = "Tenant => the Airflow connection to grant it in the builder."
  value       = module.airloom.tenant_aws_connections
}

output "tenant_workflow_roles" {
  description = "Tenant => its MWAA Serverless execution role."
  value       = module.airloom.tenant_workflow_roles
}

output "tenant_workflow_role_arn_pattern" {
  description = "The builder's MWAA Serverless role setting ({tenant} for the tenant)."
  value       = module.airloom.tenant_workflow_role_arn_pattern
}

output "tenant_training_roles" {
  description = "Tenant => the role its SageMaker training jobs run as."
  value       = module.airloom.tenant_training_roles
}

output "tenant_glue_streaming_roles" {
  description = "Tenant => the role its Glue streaming jobs run as."
  value       = module.airloom.tenant_glue_streaming_roles
}

output "serverless_sagemaker_role_arn_pattern" {
  description = "The builder's SageMaker training role setting ({tenant} for the tenant)."
  value       = module.airloom.serverless_sagemaker_role_arn_pattern
}

output "serverless_glue_role_arn_pattern" {
  description = "The builder's Glue streaming role setting ({tenant} for the tenant)."
  value       = module.airloom.serverless_glue_role_arn_pattern
}

output "tenant_workflow_log_groups" {
  description = "Tenant => the log group for its MWAA Serverless workflows."
  value       = module.airloom.tenant_workflow_log_groups
}

output "tenant_workflow_log_group_pattern" {
  description = "The workflows' log group ({tenant} for the tenant)."
  value       = module.airloom.tenant_workflow_log_group_pattern
}

output "serverless_definitions_s3_prefix" {
  description = "The builder's MWAA Serverless definitions setting."
  value       = module.airloom.serverless_definitions_s3_prefix
}

output "serverless_code_package_s3_uri" {
  description = "Where `airloom code-package --upload` puts the code package."
  value       = module.airloom.serverless_code_package_s3_uri
}
