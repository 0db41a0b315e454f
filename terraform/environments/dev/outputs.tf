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

output "usage_plan_ids" {
  description = "Tier => usage plan id."
  value       = module.airloom.usage_plan_ids
}

output "ecr_repositories" {
  description = "Where to push each image."
  value       = module.airloom.ecr_repositories
}
