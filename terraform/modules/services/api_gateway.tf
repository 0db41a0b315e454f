# The public front door. Programs call /builder/*, /marketplace/* and /insights/* with an API
# key, and each key belongs to a usage plan (tier) with its own quota and rate limit; API
# Gateway enforces both and Airloom keeps no rate-limit state of its own. People use
# /app/builder/*, /app/marketplace/* and /app/insights/* from Airloom Studio with their sign-in
# token (sign_in.tf): no key, a Cognito authorizer, and a throttle of their own, since usage
# plans only meter keys. Every service in local.services (main.tf) gets both routes.

resource "aws_api_gateway_vpc_link" "services" {
  name        = "${var.name}-services"
  target_arns = [aws_lb.services.arn]
}

resource "aws_api_gateway_rest_api" "this" {
  name        = "${var.name}-api"
  description = "Airloom workflow builder, model marketplace and insights"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_resource" "service" {
  for_each    = local.services
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = each.value.path
}

resource "aws_api_gateway_resource" "proxy" {
  for_each    = local.services
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.service[each.key].id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_request_validator" "this" {
  name                        = "parameters"
  rest_api_id                 = aws_api_gateway_rest_api.this.id
  validate_request_parameters = true
}

resource "aws_api_gateway_method" "proxy" {
  for_each             = local.services
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = aws_api_gateway_resource.proxy[each.key].id
  http_method          = "ANY"
  authorization        = "NONE"
  api_key_required     = true
  request_validator_id = aws_api_gateway_request_validator.this.id
  request_parameters   = { "method.request.path.proxy" = true }
}

resource "aws_api_gateway_integration" "proxy" {
  for_each                = local.services
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.proxy[each.key].id
  http_method             = aws_api_gateway_method.proxy[each.key].http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "ANY"
  connection_type         = "VPC_LINK"
  connection_id           = aws_api_gateway_vpc_link.services.id
  uri                     = "http://${aws_lb.services.dns_name}:${each.value.port}/{proxy}"
  request_parameters      = { "integration.request.path.proxy" = "method.request.path.proxy" }
}

# People's routes: /app/<service>/{proxy+} -> the service's /{proxy}, as the keyed routes.
resource "aws_api_gateway_resource" "app" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_rest_api.this.root_resource_id
  path_part   = "app"
}

resource "aws_api_gateway_resource" "app_service" {
  for_each    = local.services
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.app.id
  path_part   = each.value.path
}

resource "aws_api_gateway_resource" "app_proxy" {
  for_each    = local.services
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.app_service[each.key].id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_method" "app_proxy" {
  for_each             = local.services
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = aws_api_gateway_resource.app_proxy[each.key].id
  http_method          = "ANY"
  authorization        = "COGNITO_USER_POOLS"
  authorizer_id        = aws_api_gateway_authorizer.people.id
  api_key_required     = false
  request_validator_id = aws_api_gateway_request_validator.this.id
  request_parameters   = { "method.request.path.proxy" = true }
}

resource "aws_api_gateway_integration" "app_proxy" {
  for_each                = local.services
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = aws_api_gateway_resource.app_proxy[each.key].id
  http_method             = aws_api_gateway_method.app_proxy[each.key].http_method
  type                    = "HTTP_PROXY"
  integration_http_method = "ANY"
  connection_type         = "VPC_LINK"
  connection_id           = aws_api_gateway_vpc_link.services.id
  uri                     = "http://${aws_lb.services.dns_name}:${each.value.port}/{proxy}"
  request_parameters      = { "integration.request.path.proxy" = "method.request.path.proxy" }
}

# What a browser needs before anyone has signed in: Studio's files (the app, config.json) and
# the builder's /auth/* (/auth/login, /auth/me check credentials and tokens themselves). No key
# and no authorizer; API Gateway picks the most specific resource, so these win over
# /app/builder/{proxy+}.
resource "aws_api_gateway_resource" "studio" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.app_service["workflow-builder"].id
  path_part   = "studio"
}

resource "aws_api_gateway_resource" "studio_proxy" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.studio.id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_resource" "auth" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.app_service["workflow-builder"].id
  path_part   = "auth"
}

resource "aws_api_gateway_resource" "auth_proxy" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  parent_id   = aws_api_gateway_resource.auth.id
  path_part   = "{proxy+}"
}

locals {
  builder_port = local.services["workflow-builder"].port
  open_routes = {
    studio       = { resource_id = aws_api_gateway_resource.studio.id, method = "GET", target = "/studio/", proxy = false }
    studio_files = { resource_id = aws_api_gateway_resource.studio_proxy.id, method = "GET", target = "/studio/{proxy}", proxy = true }
    auth         = { resource_id = aws_api_gateway_resource.auth_proxy.id, method = "ANY", target = "/auth/{proxy}", proxy = true }
  }
}

resource "aws_api_gateway_method" "open" {
  for_each             = local.open_routes
  rest_api_id          = aws_api_gateway_rest_api.this.id
  resource_id          = each.value.resource_id
  http_method          = each.value.method
  authorization        = "NONE"
  api_key_required     = false
  request_validator_id = aws_api_gateway_request_validator.this.id
  request_parameters   = each.value.proxy ? { "method.request.path.proxy" = true } : {}
}

resource "aws_api_gateway_integration" "open" {
  for_each                = local.open_routes
  rest_api_id             = aws_api_gateway_rest_api.this.id
  resource_id             = each.value.resource_id
  http_method             = aws_api_gateway_method.open[each.key].http_method
  type                    = "HTTP_PROXY"
  integration_http_method = each.value.method
  connection_type         = "VPC_LINK"
  connection_id           = aws_api_gateway_vpc_link.services.id
  uri                     = "http://${aws_lb.services.dns_name}:${local.builder_port}${each.value.target}"
  request_parameters      = each.value.proxy ? { "integration.request.path.proxy" = "method.request.path.proxy" } : {}
}

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_method.proxy, aws_api_gateway_integration.proxy,
      aws_api_gateway_method.app_proxy, aws_api_gateway_integration.app_proxy,
      aws_api_gateway_method.open, aws_api_gateway_integration.open,
      aws_api_gateway_authorizer.people,
    ]))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/airloom/${var.name}/api-gateway"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_api_gateway_stage" "v1" {
  rest_api_id           = aws_api_gateway_rest_api.this.id
  deployment_id         = aws_api_gateway_deployment.this.id
  stage_name            = "v1"
  xray_tracing_enabled  = true
  cache_cluster_enabled = false

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId = "$context.requestId", apiKeyId = "$context.identity.apiKeyId",
      ip        = "$context.identity.sourceIp", method = "$context.httpMethod", path = "$context.path",
      status    = "$context.status", latencyMs = "$context.responseLatency",
    })
  }
}

resource "aws_api_gateway_method_settings" "all" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.v1.stage_name
  method_path = "*/*"
  settings {
    metrics_enabled      = true
    logging_level        = "INFO"
    caching_enabled      = false
    cache_data_encrypted = true
  }
}

# Usage plans only meter API keys: people's routes get a throttle of their own, per method (all
# people together, not per person). Method settings are per HTTP method, so an ANY method is
# throttled through each method it stands for.
locals {
  http_methods = { ANY = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"], GET = ["GET"] }
  people_methods = merge(
    { for key, method in aws_api_gateway_method.app_proxy : "app/${local.services[key].path}/{proxy+}" => method.http_method },
    {
      "app/builder/studio"          = aws_api_gateway_method.open["studio"].http_method
      "app/builder/studio/{proxy+}" = aws_api_gateway_method.open["studio_files"].http_method
      "app/builder/auth/{proxy+}"   = aws_api_gateway_method.open["auth"].http_method
    },
  )
  # method_path is "<resource path without its leading slash>/<HTTP method>".
  people_method_paths = toset(flatten([
    for path, method in local.people_methods : [
      for http_method in local.http_methods[method] : "${path}/${http_method}"
    ]
  ]))
}

resource "aws_api_gateway_method_settings" "people" {
  for_each    = local.people_method_paths
  rest_api_id = aws_api_gateway_rest_api.this.id
  stage_name  = aws_api_gateway_stage.v1.stage_name
  method_path = each.key
  settings {
    metrics_enabled        = true
    logging_level          = "INFO"
    caching_enabled        = false
    cache_data_encrypted   = true
    throttling_rate_limit  = var.people_throttle.rate_limit
    throttling_burst_limit = var.people_throttle.burst_limit
  }
  depends_on = [aws_api_gateway_method_settings.all]
}

resource "aws_api_gateway_usage_plan" "tier" {
  for_each    = var.tiers
  name        = "${var.name}-${each.key}"
  description = "Airloom ${each.key} tier"

  api_stages {
    api_id = aws_api_gateway_rest_api.this.id
    stage  = aws_api_gateway_stage.v1.stage_name
  }

  quota_settings {
    limit  = each.value.quota_limit
    period = each.value.quota_period
  }

  throttle_settings {
    rate_limit  = each.value.rate_limit
    burst_limit = each.value.burst_limit
  }
}

# Execution logging needs a CloudWatch role set once per account and region.
data "aws_iam_policy_document" "api_gateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api_gateway_logging" {
  count              = var.manage_api_gateway_logging_role ? 1 : 0
  name               = "${var.name}-api-gateway-logging"
  assume_role_policy = data.aws_iam_policy_document.api_gateway_assume.json
}

resource "aws_iam_role_policy_attachment" "api_gateway_logging" {
  count      = var.manage_api_gateway_logging_role ? 1 : 0
  role       = aws_iam_role.api_gateway_logging[0].name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_api_gateway_logging_role ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.api_gateway_logging[0].arn
}
