output "sagemaker_execution_role_arn" {
  description = "Role the deploy DAG passes to SageMaker models (the sagemaker target's execution_role_arn)."
  value       = aws_iam_role.sagemaker.arn
}

output "pyfunc_repository_url" {
  description = "ECR repository for MLflow's pyfunc serving image."
  value       = aws_ecr_repository.pyfunc.repository_url
}
