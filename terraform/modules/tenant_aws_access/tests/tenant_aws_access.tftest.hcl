# Offline plan of one tenant's AWS access (no AWS account): who may assume the tenant's role,
# what it may do with which service, stream and S3 location, and the connection that names it.
# Run by tests/integration/terraform.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

override_resource {
  target          = aws_iam_role.tenant
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/airloom-test-tenant-acme", id = "airloom-test-tenant-acme" }
}

override_resource {
  target          = aws_iam_role.data_access
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/airloom-test-tenant-acme-data", id = "airloom-test-tenant-acme-data" }
}

variables {
  name                    = "airloom-test"
  tenant                  = "acme"
  mwaa_execution_role_arn = "arn:aws:iam::123456789012:role/airloom-test-mwaa-execution"
  kms_key_arn             = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  ai_services             = ["comprehend", "textract", "bedrock", "kinesis", "glue"]
  bedrock_model_ids       = ["anthropic.claude-3-haiku-20240307-v1:0", "eu.amazon.nova-lite-v1:0"]
  s3_read_prefixes        = ["s3://acme-documents/invoices/", "s3://acme-media"]
  s3_write_prefixes       = ["s3://acme-documents/extracted"]
}

run "only_mwaa_execution_role_may_assume_the_tenant_role" {
  command = plan

  assert {
    condition     = aws_iam_role.tenant.name == "airloom-test-tenant-acme"
    error_message = "The tenant's role is <environment>-tenant-<tenant>."
  }
  assert {
    condition = (
      length(data.aws_iam_policy_document.trust.statement) == 1 &&
      alltrue([
        for statement in data.aws_iam_policy_document.trust.statement :
        statement.actions == toset(["sts:AssumeRole"]) &&
        length(statement.principals) == 1 &&
        alltrue([
          for principal in statement.principals :
          principal.type == "AWS" && principal.identifiers == toset([var.mwaa_execution_role_arn])
        ])
      ])
    )
    error_message = "The trust policy names MWAA's execution role and no other principal."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.tenant.statement) == length(local.tenant_statements) && length(aws_iam_role_policy.tenant) == 1
    error_message = "The role's policy holds every statement the tenant was given."
  }
}

# A stack without provisioned MWAA: the tenant's MWAA Serverless workflow role alone, named in a
# condition on the account principal (it is created after this role).
run "without_mwaa_only_the_tenants_workflow_role_may_assume_it" {
  command = plan

  variables {
    mwaa_execution_role_arn = null
    workflow_role_arn       = "arn:aws:iam::123456789012:role/airloom-test-acme-workflows"
  }

  assert {
    condition = (
      length(data.aws_iam_policy_document.trust.statement) == 1 &&
      alltrue([
        for statement in data.aws_iam_policy_document.trust.statement :
        statement.actions == toset(["sts:AssumeRole"]) &&
        jsonencode(statement.principals) == jsonencode(toset([{ type = "AWS", identifiers = ["arn:aws:iam::123456789012:root"] }])) &&
        jsonencode(statement.condition) == jsonencode(toset([{ test = "ArnEquals", variable = "aws:PrincipalArn", values = ["arn:aws:iam::123456789012:role/airloom-test-acme-workflows"] }]))
      ])
    )
    error_message = "Without MWAA, only the tenant's workflow role (by aws:PrincipalArn) may assume the tenant's role."
  }
}

run "neither_or_both_trusted_roles_are_refused" {
  command = plan

  variables {
    workflow_role_arn = "arn:aws:iam::123456789012:role/airloom-test-acme-workflows"
  }

  expect_failures = [data.aws_iam_policy_document.trust]
}

run "kinesis_reaches_only_the_tenants_streams" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statement in local.tenant_statements : [
        for action in statement.actions :
        statement.resources == ["arn:aws:kinesis:eu-west-1:123456789012:stream/acme.*"] if startswith(action, "kinesis:")
      ]
    ]))
    error_message = "Every Kinesis action is on stream/acme.* only (streams are <tenant>.<name>)."
  }
  assert {
    condition = anytrue([
      for statement in local.tenant_statements :
      contains(statement.actions, "kinesis:PutRecords") && contains(statement.actions, "kinesis:GetRecords")
    ])
    error_message = "kinesis_publish and kinesis_ingest may write and read the tenant's streams."
  }
}

run "s3_statements_cover_exactly_the_granted_locations" {
  command = plan

  assert {
    condition = toset(flatten([
      for statement in local.tenant_statements : statement.resources if contains(statement.actions, "s3:GetObject")
    ])) == toset(["arn:aws:s3:::acme-documents/invoices/*", "arn:aws:s3:::acme-media/*"])
    error_message = "The tenant reads objects under its read locations and nowhere else."
  }
  assert {
    condition = toset(flatten([
      for statement in local.tenant_statements : statement.resources if contains(statement.actions, "s3:PutObject")
    ])) == toset(["arn:aws:s3:::acme-documents/extracted/*"])
    error_message = "The tenant writes objects under its write locations and nowhere else."
  }
  assert {
    condition = alltrue([
      for statement in local.tenant_statements :
      statement.resources == ["arn:aws:s3:::acme-documents"] &&
      jsonencode(statement.conditions) == jsonencode([{ test = "StringLike", variable = "s3:prefix", values = ["invoices/", "invoices/*"] }])
      if statement.sid == "ListGrantedLocation0"
    ]) && length([for statement in local.tenant_statements : statement if contains(statement.actions, "s3:ListBucket")]) == 2
    error_message = "A prefix location lists its bucket only below the prefix; a whole-bucket location lists the bucket."
  }
  assert {
    condition = alltrue(flatten([
      for statement in local.tenant_statements : [
        for action in statement.actions : action == "s3:GetObject" || action == "s3:PutObject" || action == "s3:ListBucket"
      ] if anytrue([for action in statement.actions : startswith(action, "s3:")])
    ]))
    error_message = "No S3 action beyond reading, listing and writing objects (no delete, no bucket settings)."
  }
  assert {
    condition = anytrue([
      for statement in local.tenant_statements :
      statement.resources == [var.kms_key_arn] &&
      jsonencode(statement.conditions) == jsonencode([{ test = "StringEquals", variable = "kms:ViaService", values = ["s3.eu-west-1.amazonaws.com"] }])
    ])
    error_message = "The environment's key is usable only through S3."
  }
}

run "a_service_not_listed_gets_no_action" {
  command = plan

  variables {
    ai_services       = ["comprehend"]
    bedrock_model_ids = []
  }

  assert {
    condition = alltrue(flatten([
      for statement in local.tenant_statements : [
        for action in statement.actions : !anytrue([
          for prefix in ["translate:", "textract:", "rekognition:", "transcribe:", "polly:", "bedrock:", "kinesis:", "glue:"] : startswith(action, prefix)
        ])
      ]
    ]))
    error_message = "Only comprehend was given: no Translate, Textract, Rekognition, Transcribe, Polly, Bedrock, Kinesis or Glue action."
  }
  assert {
    condition = anytrue([
      for statement in local.tenant_statements : contains(statement.actions, "comprehend:BatchDetectSentiment")
    ])
    error_message = "The listed service is allowed."
  }
}

run "nothing_given_means_no_policy" {
  command = plan

  variables {
    ai_services       = []
    bedrock_model_ids = []
    s3_read_prefixes  = []
    s3_write_prefixes = []
  }

  assert {
    condition     = length(local.tenant_statements) == 0 && length(aws_iam_role_policy.tenant) == 0 && length(aws_iam_role.data_access) == 0
    error_message = "A tenant given nothing gets a role that may do nothing."
  }
}

run "bedrock_only_the_listed_models" {
  command = plan

  assert {
    condition = anytrue([
      for statement in local.tenant_statements :
      statement.actions == ["bedrock:InvokeModel"] && toset(statement.resources) == toset([
        "arn:aws:bedrock:eu-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0",
        "arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0",
      ])
    ])
    error_message = "InvokeModel on the listed model, and on the listed profile and its foundation model."
  }
}

run "glue_runs_only_airloom_jobs" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statement in local.tenant_statements : [
        for action in statement.actions :
        statement.resources == ["arn:aws:glue:eu-west-1:123456789012:job/airloom-*"] if startswith(action, "glue:")
      ]
    ]))
    error_message = "Glue actions are on job/airloom-* only."
  }
  assert {
    condition = anytrue([
      for statement in local.tenant_statements : contains(statement.actions, "glue:StartJobRun") && contains(statement.actions, "glue:GetJobRun")
    ])
    error_message = "glue_job may start and watch runs of Airloom's jobs."
  }
}

run "comprehend_jobs_pass_only_the_tenants_data_access_role" {
  command = plan

  assert {
    condition = anytrue([
      for statement in local.tenant_statements :
      statement.actions == ["iam:PassRole"] &&
      statement.resources == ["arn:aws:iam::123456789012:role/airloom-test-tenant-acme-data"] &&
      jsonencode(statement.conditions) == jsonencode([{ test = "StringEquals", variable = "iam:PassedToService", values = ["comprehend.amazonaws.com"] }])
    ])
    error_message = "The tenant may pass its data-access role, to Comprehend only (Translate is not listed)."
  }
  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.data_access_trust[0].statement : [
        for principal in statement.principals : principal.type == "Service" && principal.identifiers == toset(["comprehend.amazonaws.com"])
      ]
    ]))
    error_message = "Only Comprehend may act as the data-access role."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.data_access.statement) == length(local.s3_statements)
    error_message = "The data-access role holds the tenant's S3 locations and nothing else."
  }
}

run "the_connection_names_the_tenant_role" {
  command = plan

  assert {
    condition = (
      aws_secretsmanager_secret.connection.name == "airflow/connections/aws_acme" &&
      aws_secretsmanager_secret.connection.kms_key_id == var.kms_key_arn &&
      output.connection_id == "aws_acme"
    )
    error_message = "The connection aws_acme lives under MWAA's connections prefix, encrypted with the environment's key."
  }
  assert {
    condition = jsondecode(aws_secretsmanager_secret_version.connection.secret_string) == {
      conn_type = "aws"
      extra     = { role_arn = "arn:aws:iam::123456789012:role/airloom-test-tenant-acme", region_name = "eu-west-1" }
    }
    error_message = "The connection is an aws connection assuming the tenant's role in the environment's region, with no credentials."
  }
}

run "a_wildcard_in_an_s3_location_is_refused" {
  command = plan

  variables {
    s3_read_prefixes = ["s3://other-tenant/*"]
  }

  expect_failures = [var.s3_read_prefixes]
}

run "an_unknown_service_is_refused" {
  command = plan

  variables {
    ai_services = ["comprehend", "sagemaker"]
  }

  expect_failures = [var.ai_services]
}

run "a_tenant_name_with_a_dot_is_refused" {
  command = plan

  variables {
    tenant = "acme.evil"
  }

  expect_failures = [var.tenant]
}

run "bedrock_without_models_is_refused" {
  command = plan

  variables {
    bedrock_model_ids = []
  }

  expect_failures = [aws_iam_role.tenant]
}
