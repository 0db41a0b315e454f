output "sagemaker_execution_role_arn" {
  description = "Role the deploy DAG passes to SageMaker models (the sagemaker target's execution_role_arn)."
  value       = aws_iam_role.sagemaker.arn
}

output "pyfunc_repository_url" {
  description = "ECR repository for MLflow's pyfunc serving image."
  value       = aws_ecr_repository.pyfunc.repository_url
}

output "training_repository_url" {
  description = "ECR repository for the image SageMaker training jobs run (train and train_embedder nodes on MWAA Serverless)."
  value       = aws_ecr_repository.training.repository_url
}

output "training_repository_arn" {
  description = "ARN of the training image repository, for the roles that pull from it."
  value       = aws_ecr_repository.training.arn
}
