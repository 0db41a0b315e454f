# One tenant's MWAA Serverless execution role: every workflow the tenant publishes to MWAA
# Serverless runs as it (CreateWorkflow's RoleArn), so what a task can reach in AWS is what this
# role allows — the tenant's own lake and model prefixes, topics, secrets, log group and AI
# services — even if the compiler, the operators and the builder all failed to stop it.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  arn_prefix = "arn:${data.aws_partition.current.partition}"

  role_name      = "${var.name_prefix}-${var.tenant}-workflows"
  log_group_name = "/${var.name_prefix}/workflows/${var.tenant}"

  # MWAA Serverless's service principal. Confirmed (read 2026-12-03): the Service Authorization
  # Reference, "Actions, resources, and condition keys for AWS MWAA Serverless", lists
  # iam:PassedToService = airflow-serverless.amazonaws.com for CreateWorkflow's iam:PassRole.
  # Not confirmed: that the service sets aws:SourceAccount when it assumes the role (most
  # services do; if CreateWorkflow reports it cannot assume the role, this condition is why).
  service_principal = "airflow-serverless.amazonaws.com"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "OnlyMwaaServerlessInThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = [local.service_principal]
    }
    # Confused deputy: only workflows of this account may run as the role.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "workflows" {
  name                 = local.role_name
  description          = "Airloom tenant ${var.tenant}: what its MWAA Serverless workflows may do"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
  tags                 = { AirloomTenant = var.tenant }

  lifecycle {
    precondition {
      condition     = length(local.role_name) <= 64
      error_message = "The workflow role's name ${local.role_name} is longer than IAM's 64 characters: shorten name_prefix."
    }
  }
}

# The log group named in CreateWorkflow's LoggingConfiguration: the tenant's task logs only.
resource "aws_cloudwatch_log_group" "workflows" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
  tags              = { AirloomTenant = var.tenant }
}

data "aws_iam_policy_document" "workflows" {
  dynamic "statement" {
    for_each = local.statements
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

resource "aws_iam_role_policy" "workflows" {
  name   = "airloom-tenant-workflows"
  role   = aws_iam_role.workflows.id
  policy = data.aws_iam_policy_document.workflows.json
}

# The AWS services the tenant was given (tenant_aws_access's statements), attached as they are:
# one grant, written once, whichever target runs the tenant's workflows.
resource "aws_iam_role_policy" "aws_services" {
  for_each = var.aws_service_policies
  name     = "airloom-tenant-${each.key}"
  role     = aws_iam_role.workflows.id
  policy   = each.value
}
