# One tenant's way into AWS from its workflows: a role only MWAA's execution role (or, without
# a provisioned environment, the tenant's MWAA Serverless workflow role) may assume,
# allowed exactly what the tenant was given (AI services, S3 locations, its own Kinesis streams,
# Airloom's Glue jobs, named Bedrock models), and the Airflow connection aws_<tenant> that
# names it. Nodes call AWS through the connection; the Amazon provider's hook assumes the role
# with the execution role's credentials, so every call a tenant's node makes is bounded by the
# tenant's role, whatever connection id a design names.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  arn_prefix = "arn:${data.aws_partition.current.partition}"

  role_name     = "${var.name}-tenant-${var.tenant}"
  connection_id = "aws_${var.tenant}"

  # Comprehend's and Translate's batch jobs read and write S3 as a role handed to the service.
  data_access_services = [
    for service in ["comprehend", "translate"] : "${service}.amazonaws.com" if contains(var.ai_services, service)
  ]
}

# MWAA's execution role by name; without a provisioned environment, the tenant's workflow
# role, through the account and a condition (a principal must exist when the trust is saved,
# a condition's ARN need not, and the workflow role is created after this one).
data "aws_iam_policy_document" "trust" {
  statement {
    sid     = var.mwaa_execution_role_arn != null ? "OnlyMwaaExecutionRole" : "OnlyTenantWorkflowRole"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = [coalesce(var.mwaa_execution_role_arn, "${local.arn_prefix}:iam::${local.account_id}:root")]
    }
    dynamic "condition" {
      for_each = var.mwaa_execution_role_arn == null ? [var.workflow_role_arn] : []
      content {
        test     = "ArnEquals"
        variable = "aws:PrincipalArn"
        values   = [condition.value]
      }
    }
  }

  lifecycle {
    precondition {
      condition     = (var.mwaa_execution_role_arn == null) != (var.workflow_role_arn == null)
      error_message = "Tenant ${var.tenant}: give exactly one of mwaa_execution_role_arn and workflow_role_arn."
    }
  }
}

resource "aws_iam_role" "tenant" {
  name                 = local.role_name
  description          = "Airloom tenant ${var.tenant}: what its workflows may do in AWS"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = { AirloomTenant = var.tenant }

  lifecycle {
    precondition {
      condition     = !contains(var.ai_services, "bedrock") || length(var.bedrock_model_ids) > 0
      error_message = "Tenant ${var.tenant}: bedrock is in ai_services but bedrock_model_ids names no model to invoke."
    }
    precondition {
      condition     = contains(var.ai_services, "bedrock") || length(var.bedrock_model_ids) == 0
      error_message = "Tenant ${var.tenant}: bedrock_model_ids is set but bedrock is not in ai_services."
    }
  }
}

data "aws_iam_policy_document" "tenant" {
  dynamic "statement" {
    for_each = local.tenant_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

# IAM refuses a policy without statements: a tenant given nothing gets a role that may do nothing.
resource "aws_iam_role_policy" "tenant" {
  count  = length(local.tenant_statements) > 0 ? 1 : 0
  name   = "airloom-tenant"
  role   = aws_iam_role.tenant.id
  policy = data.aws_iam_policy_document.tenant.json
}

# -- the role Comprehend and Translate batch jobs run as: the tenant's S3 locations, nothing more

data "aws_iam_policy_document" "data_access_trust" {
  count = length(local.data_access_services) > 0 ? 1 : 0
  statement {
    sid     = "ComprehendAndTranslateJobs"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = local.data_access_services
    }
    # Confused deputy: only jobs started in this account may act as the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "data_access" {
  count                = length(local.data_access_services) > 0 ? 1 : 0
  name                 = "${local.role_name}-data"
  description          = "Airloom tenant ${var.tenant}: S3 access of its Comprehend and Translate batch jobs"
  assume_role_policy   = data.aws_iam_policy_document.data_access_trust[0].json
  max_session_duration = 3600
  tags                 = { AirloomTenant = var.tenant }
}

data "aws_iam_policy_document" "data_access" {
  dynamic "statement" {
    for_each = local.s3_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "data_access" {
  count  = length(local.data_access_services) > 0 && length(local.s3_statements) > 0 ? 1 : 0
  name   = "airloom-tenant-data"
  role   = aws_iam_role.data_access[0].id
  policy = data.aws_iam_policy_document.data_access.json
}

# -- the Airflow connection aws_<tenant>, where MWAA's secrets backend looks for it

resource "aws_secretsmanager_secret" "connection" {
  name                    = "${var.connections_prefix}/${local.connection_id}"
  description             = "${var.name}: Airflow connection ${local.connection_id} (tenant ${var.tenant}'s AWS role)"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
  tags                    = { AirloomTenant = var.tenant }
}

# No credentials in it: the hook assumes role_arn with the execution role's own.
resource "aws_secretsmanager_secret_version" "connection" {
  secret_id = aws_secretsmanager_secret.connection.id
  secret_string = jsonencode({
    conn_type = "aws"
    extra     = { role_arn = aws_iam_role.tenant.arn, region_name = local.region }
  })
}
