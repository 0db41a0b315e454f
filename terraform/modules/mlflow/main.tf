# The MLflow tracking server and model registry: Fargate tasks behind an internal load
# balancer, PostgreSQL on RDS as the backend store, artifacts proxied to S3 (clients need no S3
# access of their own).

locals {
  port = 5000
}

resource "aws_ecr_repository" "mlflow" {
  name                 = "${var.name}/mlflow"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-mlflow"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "database" {
  source                    = "../postgres"
  name                      = "${var.name}-mlflow"
  database_name             = "mlflow"
  username                  = "mlflow"
  instance_class            = var.db_instance_class
  multi_az                  = var.db_multi_az
  deletion_protection       = var.deletion_protection
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = [module.service.security_group_id]
  kms_key_arn               = var.kms_key_arn
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "Artifacts"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"]
    resources = [var.artifact_bucket_arn, "${var.artifact_bucket_arn}/mlflow/*"]
  }
  statement {
    sid       = "ArtifactEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

module "service" {
  source         = "../ecs_service"
  name           = "${var.name}-mlflow"
  cluster_arn    = aws_ecs_cluster.this.arn
  image          = "${aws_ecr_repository.mlflow.repository_url}:${var.image_tag}"
  container_port = local.port
  cpu            = var.cpu
  memory         = var.memory
  desired_count  = var.desired_count
  subnet_ids     = var.private_subnet_ids
  vpc_id         = var.vpc_id
  vpc_cidr_block = var.vpc_cidr_block

  load_balancer_security_group_id = aws_security_group.load_balancer.id
  target_group_arn                = aws_lb_target_group.mlflow.arn
  kms_key_arn                     = var.kms_key_arn
  task_policy_json                = data.aws_iam_policy_document.task.json
  environment = {
    AIRLOOM_DB_DRIVER            = "postgresql+psycopg"
    AIRLOOM_DB_HOST              = module.database.address
    AIRLOOM_DB_PORT              = tostring(module.database.port)
    AIRLOOM_DB_NAME              = module.database.database_name
    AIRLOOM_DB_USER              = module.database.username
    AIRLOOM_DB_URL_VARIABLE      = "MLFLOW_BACKEND_STORE_URI"
    MLFLOW_ARTIFACTS_DESTINATION = "s3://${var.artifact_bucket}/mlflow"
  }
  secrets = {
    AIRLOOM_DB_PASSWORD = "${module.database.password_secret_arn}:password::"
  }
  secret_arns = [module.database.password_secret_arn]
}
