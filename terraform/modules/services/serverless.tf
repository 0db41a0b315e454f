# The builder's side of Amazon MWAA Serverless (AIRLOOM_BUILDER_PUBLISH_TARGET=mwaa_serverless):
# it uploads definitions, reads the code package's current version, creates, updates, runs and
# watches Airloom's workflows (wf-*), and hands the service a tenant's workflow role
# (tenant_workflow_role, <name>-<tenant>-workflows) and no other role.

locals {
  serverless = var.serverless_definitions_s3_prefix != null && var.serverless_code_package_s3_uri != null
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
