# Offline plan of the services module (no AWS account): who may call which route, and what
# Studio and the services are told about sign-in. Run by tests/integration/terraform.

mock_provider "aws" {
  # Computed values (ids, invoke_url) are known in the plan, so assertions can compare them.
  override_during = plan

  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  # Placeholder values where the provider checks a value's shape (ARNs).
  mock_resource "aws_api_gateway_stage" {
    defaults = {
      invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
      arn        = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      dns_name = "internal-services.elb.eu-west-1.amazonaws.com"
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/airloom-test-services/0123456789abcdef"
    }
  }
  mock_resource "aws_api_gateway_authorizer" {
    defaults = { id = "people1" }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "eu-west-1_People1"
      arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_People1"
    }
  }
  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "studioclient1" }
  }
}

override_resource {
  target          = aws_api_gateway_resource.app_service["workflow-builder"]
  override_during = plan
  values          = { id = "appbuilder" }
}

override_resource {
  target          = aws_api_gateway_resource.app_service["marketplace"]
  override_during = plan
  values          = { id = "appmarketplace" }
}

variables {
  name                  = "airloom-test"
  vpc_id                = "vpc-0123456789abcdef0"
  vpc_cidr_block        = "10.20.0.0/16"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  mwaa_environment_name = "airloom-test"
  mwaa_environment_arn  = "arn:aws:airflow:eu-west-1:123456789012:environment/airloom-test"
  mwaa_bucket           = "airflow-test-123456789012"
  mwaa_bucket_arn       = "arn:aws:s3:::airflow-test-123456789012"
  mlflow_tracking_uri   = "http://mlflow.internal"
  access_log_bucket     = "airloom-test-access-logs"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  airflow_webserver_url = "0000-abcd.c2.airflow.eu-west-1.on.aws"
  msk_cluster_arn       = "arn:aws:kafka:eu-west-1:123456789012:cluster/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
  # The IAM listener's addresses, as MSK gives them (airloom.kafka_clients turns on IAM auth).
  kafka_bootstrap_servers = "b-1.airloomtest.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.airloomtest.abc123.c2.kafka.eu-west-1.amazonaws.com:9098"
  lake_bucket             = "airloom-test-lake-data-123456789012"
  lake_bucket_arn         = "arn:aws:s3:::airloom-test-lake-data-123456789012"
}

run "programs_need_an_api_key" {
  command = plan

  assert {
    condition     = alltrue([for method in aws_api_gateway_method.proxy : method.api_key_required && method.authorization == "NONE"])
    error_message = "/builder/{proxy+}, /marketplace/{proxy+} and /insights/{proxy+} must require an API key."
  }
  assert {
    condition     = length(aws_api_gateway_method.proxy) == 3
    error_message = "Each service (builder, marketplace, insights) has its keyed program route."
  }
}

run "people_routes_use_the_sign_in_token" {
  command = plan

  assert {
    condition = alltrue([
      for method in aws_api_gateway_method.app_proxy :
      method.authorization == "COGNITO_USER_POOLS" && method.authorizer_id == "people1" && !method.api_key_required && method.http_method == "ANY"
    ])
    error_message = "/app/builder/{proxy+}, /app/marketplace/{proxy+} and /app/insights/{proxy+} must use the Cognito authorizer and no API key."
  }
  assert {
    condition     = length(aws_api_gateway_method.app_proxy) == 3
    error_message = "Each service has a people's route."
  }
  assert {
    condition     = aws_api_gateway_authorizer.people.type == "COGNITO_USER_POOLS" && aws_api_gateway_authorizer.people.identity_source == "method.request.header.Authorization"
    error_message = "The authorizer reads the Cognito token from the Authorization header."
  }
  assert {
    condition     = aws_api_gateway_authorizer.people.provider_arns == toset([aws_cognito_user_pool.people.arn])
    error_message = "The authorizer trusts the people user pool only."
  }
  assert {
    condition     = aws_api_gateway_integration.app_proxy["workflow-builder"].uri == "http://${aws_lb.services.dns_name}:8001/{proxy}"
    error_message = "/app/builder/{proxy} must reach the builder's /{proxy}."
  }
  assert {
    condition     = aws_api_gateway_integration.app_proxy["marketplace"].uri == "http://${aws_lb.services.dns_name}:8002/{proxy}"
    error_message = "/app/marketplace/{proxy} must reach the marketplace's /{proxy}."
  }
}

run "studio_and_auth_load_before_sign_in" {
  command = plan

  assert {
    condition = alltrue([
      for method in aws_api_gateway_method.open :
      method.authorization == "NONE" && method.authorizer_id == null && !method.api_key_required
    ])
    error_message = "Studio's files and /auth/* need neither key nor authorizer."
  }
  assert {
    condition = (
      aws_api_gateway_method.open["studio"].http_method == "GET" &&
      aws_api_gateway_method.open["studio_files"].http_method == "GET" &&
      aws_api_gateway_method.open["auth"].http_method == "ANY"
    )
    error_message = "Studio's routes are GET only; /auth/* takes any method."
  }
  assert {
    condition     = aws_api_gateway_resource.studio.parent_id == "appbuilder" && aws_api_gateway_resource.auth.parent_id == "appbuilder"
    error_message = "studio and auth sit under /app/builder."
  }
  assert {
    condition     = aws_api_gateway_integration.open["studio"].uri == "http://${aws_lb.services.dns_name}:8001/studio/"
    error_message = "/app/builder/studio must reach the builder's /studio/."
  }
  assert {
    condition     = aws_api_gateway_integration.open["studio_files"].uri == "http://${aws_lb.services.dns_name}:8001/studio/{proxy}"
    error_message = "/app/builder/studio/{proxy} must reach the builder's /studio/{proxy}."
  }
  assert {
    condition     = aws_api_gateway_integration.open["auth"].uri == "http://${aws_lb.services.dns_name}:8001/auth/{proxy}"
    error_message = "/app/builder/auth/{proxy} must reach the builder's /auth/{proxy}."
  }
}

run "people_routes_are_throttled" {
  command = plan

  assert {
    condition     = length(aws_api_gateway_method_settings.people) == 4 * 7 + 2
    error_message = "Each ANY route is throttled through its 7 HTTP methods, each GET route once."
  }
  assert {
    condition = alltrue([
      for path in ["app/builder/{proxy+}/POST", "app/marketplace/{proxy+}/GET", "app/insights/{proxy+}/GET", "app/insights/{proxy+}/POST", "app/builder/auth/{proxy+}/POST", "app/builder/studio/GET", "app/builder/studio/{proxy+}/GET"] :
      contains(keys(aws_api_gateway_method_settings.people), path)
    ])
    error_message = "method_path is the resource path without its leading slash, then the HTTP method."
  }
  assert {
    condition = alltrue([
      for setting in aws_api_gateway_method_settings.people :
      setting.settings[0].throttling_rate_limit == 100 && setting.settings[0].throttling_burst_limit == 200 && setting.settings[0].metrics_enabled
    ])
    error_message = "People's methods get people_throttle and keep metrics on."
  }
}

run "studio_signs_in_with_cognito" {
  command = plan

  assert {
    condition     = contains(aws_cognito_user_pool_client.studio.callback_urls, "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/app/builder/studio/signin/callback")
    error_message = "Studio's callback URL is <invoke_url>/app/builder/studio/signin/callback."
  }
  assert {
    condition     = contains(aws_cognito_user_pool_client.studio.logout_urls, "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/app/builder/studio/")
    error_message = "Studio's sign-out URL is <invoke_url>/app/builder/studio/."
  }
  assert {
    condition     = !aws_cognito_user_pool_client.studio.generate_secret && aws_cognito_user_pool_client.studio.allowed_oauth_flows == toset(["code"])
    error_message = "Studio is a public client using the authorization code flow."
  }
  assert {
    condition     = contains(aws_cognito_user_pool_client.studio.read_attributes, "custom:tenant") && !contains(aws_cognito_user_pool_client.studio.write_attributes, "custom:tenant")
    error_message = "People can read their tenant but never write it."
  }
  assert {
    condition     = aws_cognito_user_pool_client.studio.id_token_validity == 1 && aws_cognito_user_pool_client.studio.token_validity_units[0].id_token == "hours"
    error_message = "ID tokens live an hour."
  }
  assert {
    condition     = aws_cognito_user_pool.people.admin_create_user_config[0].allow_admin_create_user_only && aws_cognito_user_pool.people.deletion_protection == "ACTIVE"
    error_message = "Only administrators add people; the pool is protected like the database."
  }
  assert {
    condition     = toset([for group in aws_cognito_user_group.role : group.name]) == toset(["airloom-viewer", "airloom-editor", "airloom-admin"])
    error_message = "Roles are the groups airloom-viewer, airloom-editor, airloom-admin."
  }
  assert {
    condition     = aws_cognito_user_pool_domain.people.domain == "airloom-test-123456789012" && aws_cognito_user_pool_domain.people.managed_login_version == 1
    error_message = "The sign-in domain prefix defaults to <name>-<account id>, with the classic hosted pages."
  }
  assert {
    condition     = output.studio_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/app/builder/studio/"
    error_message = "studio_url is <invoke_url>/app/builder/studio/."
  }
}

run "services_accept_the_studio_token" {
  command = plan

  assert {
    condition     = local.environment["workflow-builder"].AIRLOOM_BUILDER_PUBLIC_PATH == "/v1/app/builder"
    error_message = "The builder knows Studio is served under /v1/app/builder."
  }
  assert {
    condition     = local.environment["workflow-builder"].AIRLOOM_BUILDER_MARKETPLACE_URL == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/app/marketplace"
    error_message = "Studio reaches the marketplace through its people's route."
  }
  assert {
    condition     = local.environment["workflow-builder"].AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL == "https://0000-abcd.c2.airflow.eu-west-1.on.aws"
    error_message = "Studio links to MWAA's web server."
  }
  assert {
    condition = alltrue([
      for key in ["workflow-builder", "marketplace", "insights"] :
      local.environment[key].AIRLOOM_AUTH_OIDC_ISSUER == "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_People1" &&
      local.environment[key].AIRLOOM_AUTH_OIDC_AUDIENCE == "studioclient1" &&
      local.environment[key].AIRLOOM_AUTH_OIDC_ROLE_PREFIX == "airloom-"
    ])
    error_message = "Every service trusts the user pool's ID tokens for Studio's client, roles prefixed airloom-."
  }
}

run "custom_domains_and_a_deletable_pool" {
  command = plan

  variables {
    deletion_protection        = false
    sign_in_domain_prefix      = "airloom-sign-in"
    studio_extra_callback_urls = ["https://studio.example.com/app/builder/studio/signin/callback"]
    studio_extra_logout_urls   = ["https://studio.example.com/app/builder/studio/"]
  }

  assert {
    condition     = length(aws_cognito_user_pool_client.studio.callback_urls) == 2 && contains(aws_cognito_user_pool_client.studio.callback_urls, "https://studio.example.com/app/builder/studio/signin/callback")
    error_message = "Extra callback URLs are added to Studio's own."
  }
  assert {
    condition     = contains(aws_cognito_user_pool_client.studio.logout_urls, "https://studio.example.com/app/builder/studio/")
    error_message = "Extra sign-out URLs are added to Studio's own."
  }
  assert {
    condition     = aws_cognito_user_pool.people.deletion_protection == "INACTIVE" && aws_cognito_user_pool_domain.people.domain == "airloom-sign-in"
    error_message = "deletion_protection and sign_in_domain_prefix are followed."
  }
}

run "a_bad_domain_prefix_is_refused" {
  command = plan

  variables {
    sign_in_domain_prefix = "Airloom_Sign_In"
  }

  expect_failures = [var.sign_in_domain_prefix]
}

run "waf_lets_studio_save_large_workflows" {
  command = plan

  assert {
    condition = anytrue([
      for rule in aws_wafv2_web_acl.api.rule :
      rule.name == "AWSManagedRulesCommonRuleSet" && anytrue([
        for override in rule.statement[0].managed_rule_group_statement[0].rule_action_override :
        override.name == "SizeRestrictions_BODY" && length(override.action_to_use[0].count) == 1
      ])
    ])
    error_message = "The common rule set's 8 KB body limit only counts: the services have their own limits."
  }
}
