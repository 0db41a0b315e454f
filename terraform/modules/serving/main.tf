# What the `sagemaker` deploy target needs: an execution role SageMaker assumes to pull the
# serving image and read model artifacts, and the ECR repository for MLflow's pyfunc serving
# image (`mlflow sagemaker build-and-push-container`). Endpoints themselves are created by the
# deploy DAG, named airloom-*, as the MWAA execution role allows. Also the ECR repository of
# the image SageMaker training jobs run on MWAA Serverless (tenant_workflow_role's training
# roles pull it).

resource "aws_ecr_repository" "pyfunc" {
  name                 = "${var.name}/mlflow-pyfunc"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

# The image SageMaker training jobs run for Airloom's train and train_embedder nodes on MWAA
# Serverless (`python -m airloom.ml.sagemaker_job`); each tenant's training role pulls it.
resource "aws_ecr_repository" "training" {
  name                 = "${var.name}/sagemaker-training"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "sagemaker" {
  name               = "${var.name}-sagemaker-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "sagemaker" {
  statement {
    sid       = "ReadModelArtifacts"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [var.models_bucket_arn, "${var.models_bucket_arn}/*"]
  }
  statement {
    sid       = "DecryptArtifactsAndImages"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
  statement {
    sid       = "PullServingImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.pyfunc.arn]
  }
  statement {
    sid       = "EcrLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "EndpointLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["arn:aws:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/sagemaker/Endpoints/airloom-*"]
  }
  statement {
    sid       = "EndpointMetrics"
    actions   = ["cloudwatch:PutMetricData"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/Endpoints"]
    }
  }
}

resource "aws_iam_role_policy" "sagemaker" {
  name   = "serve-models"
  role   = aws_iam_role.sagemaker.id
  policy = data.aws_iam_policy_document.sagemaker.json
}
