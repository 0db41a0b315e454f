# The public front door: /builder/* and /marketplace/* need an API key, and each key belongs
# to a usage plan (tier) with its own quota and rate limit. API Gateway enforces both; Airloom
# keeps no rate-limit state of its own.

resource "aws_api_gateway_vpc_link" "services" {
  name        = "${var.name}-services"
  target_arns = [aws_lb.services.arn]
}

resource "aws_api_gateway_rest_api" "this" {
  name        = "${var.name}-api"
  description = "Airloom workflow builder and model marketplace"
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

resource "aws_api_gateway_deployment" "this" {
  rest_api_id = aws_api_gateway_rest_api.this.id
  triggers = {
    redeployment = sha1(jsonencode([aws_api_gateway_method.proxy, aws_api_gateway_integration.proxy]))
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
