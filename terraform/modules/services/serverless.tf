# The builder's side of Amazon MWAA Serverless (AIRLOOM_BUILDER_PUBLISH_TARGET=mwaa_serverless):
# it uploads definitions, reads the code package's current version, creates, updates, runs and
# watches Airloom's workflows (wf-*), and hands the service a tenant's workflow role
# (tenant_workflow_role, <name>-<tenant>-workflows) and no other role.

locals {
  # The environment's name is known at plan (its ARN and URL are not), so it decides.
  provisioned_mwaa        = var.mwaa_environment_name != null
  serverless              = var.serverless_definitions_s3_prefix != null && var.serverless_code_package_s3_uri != null
  publishes_to_serverless = var.publish_target == "mwaa_serverless"
  sagemaker_training      = var.serverless_sagemaker_image_uri != null
  glue_streaming          = var.serverless_glue_role_arn_pattern != null
  # s3://bucket/prefix -> arn:aws:s3:::bucket/prefix
  serverless_definitions_arn = local.serverless ? "arn:aws:s3:::${trimsuffix(trimprefix(var.serverless_definitions_s3_prefix, "s3://"), "/")}" : ""
  serverless_code_arn        = local.serverless ? "arn:aws:s3:::${trimprefix(var.serverless_code_package_s3_uri, "s3://")}" : ""
  serverless_scope           = "arn:aws:airflow-serverless:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
}

data "aws_iam_policy_document" "builder_serverless" {
  count = local.serverless ? 1 : 0

  statement {
    sid       = "UploadDefinitions"
    actions   = ["s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${local.serverless_definitions_arn}/*"]
  }
  # HeadObject (the package's VersionId) is authorised as GetObject.
  statement {
    sid       = "ReadCodePackageVersion"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.serverless_code_arn]
  }
  # Workflow ARNs are workflow/<name>-<10 characters> (botocore's WorkflowArn pattern); Airloom
  # names every workflow by its DAG id, wf-<tenant>-<name>.
  statement {
    sid = "ManageAirloomWorkflows"
    actions = [
      "airflow-serverless:CreateWorkflow", "airflow-serverless:UpdateWorkflow",
      "airflow-serverless:GetWorkflow", "airflow-serverless:DeleteWorkflow",
      "airflow-serverless:ListWorkflowVersions", "airflow-serverless:StartWorkflowRun",
      "airflow-serverless:StopWorkflowRun", "airflow-serverless:GetWorkflowRun",
      "airflow-serverless:ListWorkflowRuns", "airflow-serverless:ListTaskInstances",
      "airflow-serverless:GetTaskInstance", "airflow-serverless:TagResource",
      "airflow-serverless:ListTagsForResource",
    ]
    resources = ["${local.serverless_scope}:workflow/wf-*"]
  }
  statement {
    sid       = "FindWorkflowsByName"
    actions   = ["airflow-serverless:ListWorkflows"]
    resources = ["*"]
  }
  statement {
    sid       = "PassTenantWorkflowRoles"
    actions   = ["iam:PassRole"]
    resources = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${var.name}-*-workflows"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["airflow-serverless.amazonaws.com"]
    }
  }
}

# -- the network MWAA Serverless workflows run in: Airloom's private subnets, so they reach
# MLflow, MSK (kafka_clients, admitted on 9098) and, through the NAT, AWS APIs and HTTPS sites.

resource "aws_security_group" "serverless_workflows" {
  # checkov:skip=CKV2_AWS_5: attached by MWAA Serverless (each workflow's NetworkConfiguration, from the builder's AIRLOOM_BUILDER_SERVERLESS_SECURITY_GROUP_IDS) and by the Glue connection, which checkov does not follow; tests/serverless.tftest.hcl checks the builder is given it
  count       = local.publishes_to_serverless ? 1 : 0
  name        = "${var.name}-serverless-workflows"
  description = "Airloom's MWAA Serverless workflows and Glue streaming jobs in the VPC"
  vpc_id      = var.vpc_id

  egress {
    description = "AWS APIs (through the NAT where no endpoint serves them) and HTTPS sources"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    description = "MLflow on its internal load balancer"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
  # Glue asks a connection's group to admit itself on every TCP port (its workers talk to each other).
  ingress {
    description = "Glue workers of one job run"
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    self        = true
  }
  egress {
    description = "Glue workers of one job run"
    from_port   = 0
    to_port     = 65535
    protocol    = "tcp"
    self        = true
  }
}

locals {
  serverless_security_group_ids = local.publishes_to_serverless ? [aws_security_group.serverless_workflows[0].id, aws_security_group.kafka_clients.id] : []
}

data "aws_subnet" "glue_connection" {
  count = local.publishes_to_serverless && local.glue_streaming ? 1 : 0
  id    = var.private_subnet_ids[0]
}

# The Glue streaming jobs' way into the VPC (to MSK): Glue places a job run's workers in one
# subnet of a NETWORK connection.
resource "aws_glue_connection" "streaming" {
  count           = local.publishes_to_serverless && local.glue_streaming ? 1 : 0
  name            = "${var.name}-streaming"
  description     = "Airloom's Glue streaming jobs reach MSK in the VPC"
  connection_type = "NETWORK"
  physical_connection_requirements {
    availability_zone      = data.aws_subnet.glue_connection[0].availability_zone
    subnet_id              = var.private_subnet_ids[0]
    security_group_id_list = local.serverless_security_group_ids
  }
}

locals {
  # The builder's AIRLOOM_BUILDER_* settings for MWAA Serverless: lists as JSON, flags as the
  # stack is (workflows in the private subnets with a NAT, Kafka on MSK with IAM, Spark batch
  # not on EMR Serverless); a redirect's settings only when it is on.
  builder_publish_environment = local.publishes_to_serverless ? merge({
    AIRLOOM_BUILDER_PUBLISH_TARGET                     = "mwaa_serverless"
    AIRLOOM_BUILDER_SERVERLESS_DEFINITIONS             = var.serverless_definitions_s3_prefix
    AIRLOOM_BUILDER_SERVERLESS_CODE_PACKAGE            = var.serverless_code_package_s3_uri
    AIRLOOM_BUILDER_SERVERLESS_ROLE_ARN_PATTERN        = var.serverless_role_arn_pattern
    AIRLOOM_BUILDER_SERVERLESS_LOG_GROUP               = var.serverless_log_group_pattern
    AIRLOOM_BUILDER_SERVERLESS_SUBNET_IDS              = jsonencode(var.private_subnet_ids)
    AIRLOOM_BUILDER_SERVERLESS_SECURITY_GROUP_IDS      = jsonencode(local.serverless_security_group_ids)
    AIRLOOM_BUILDER_SERVERLESS_PRIVATE_NETWORK         = "true"
    AIRLOOM_BUILDER_SERVERLESS_INTERNET                = "true"
    AIRLOOM_BUILDER_SERVERLESS_KAFKA_IS_MSK            = "true"
    AIRLOOM_BUILDER_SERVERLESS_SPARK_ON_EMR_SERVERLESS = "false"
    AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING      = tostring(local.sagemaker_training)
    AIRLOOM_BUILDER_SERVERLESS_SPARK_STREAM_ON_GLUE    = tostring(local.glue_streaming)
    }, local.sagemaker_training ? {
    AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI        = var.serverless_sagemaker_image_uri
    AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN = var.serverless_sagemaker_role_arn_pattern
    } : {}, local.sagemaker_training && var.serverless_sagemaker_mlflow_secret_id != null ? {
    AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID = var.serverless_sagemaker_mlflow_secret_id
    } : {}, local.glue_streaming ? {
    AIRLOOM_BUILDER_SERVERLESS_GLUE_ROLE_ARN_PATTERN = var.serverless_glue_role_arn_pattern
    AIRLOOM_BUILDER_SERVERLESS_GLUE_STREAM_SCRIPT    = var.serverless_glue_stream_script_s3_uri
    AIRLOOM_BUILDER_SERVERLESS_GLUE_CONNECTION       = aws_glue_connection.streaming[0].name
    } : {}, var.serverless_glue_python_files_s3_uri != null ? {
    AIRLOOM_BUILDER_SERVERLESS_GLUE_PYTHON_FILES = var.serverless_glue_python_files_s3_uri
  } : {}) : {}
}
