# People sign in to Airloom Studio with Amazon Cognito. The user pool holds each person's
# tenant (custom:tenant, set by an administrator, never by the person) and their Airloom role
# as a group (airloom-viewer, airloom-editor, airloom-admin). Studio signs people in through
# the pool's hosted pages (authorization code with PKCE, a public client without a secret) and
# sends the ID token, which carries both claims, as "Authorization: Bearer <id token>". API
# Gateway's Cognito authorizer checks it on the /app/* routes; every service checks it again
# (servicekit.identity, AIRLOOM_AUTH_OIDC_*).

locals {
  sign_in_domain_prefix = coalesce(var.sign_in_domain_prefix, "${var.name}-${data.aws_caller_identity.current.account_id}")
  # Groups are <prefix><role>: the services read the role from cognito:groups.
  role_prefix = "airloom-"
  # Lower precedence wins when a person is in several groups (the services take the highest role).
  roles = { admin = 1, editor = 2, viewer = 3 }

  invoke_url = aws_api_gateway_stage.v1.invoke_url
  # What people's browsers use: the builder and marketplace under /app/, Studio in the builder.
  builder_public_url     = "${local.invoke_url}/app/builder"
  marketplace_public_url = "${local.invoke_url}/app/marketplace"
  studio_url             = "${local.builder_public_url}/studio/"
  studio_callback_url    = "${local.builder_public_url}/studio/signin/callback"
}

resource "aws_cognito_user_pool" "people" {
  name                = "${var.name}-people"
  deletion_protection = var.deletion_protection ? "ACTIVE" : "INACTIVE"

  # An administrator adds each person with their tenant: nobody signs themselves up.
  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  alias_attributes         = ["email"]
  auto_verified_attributes = ["email"]

  password_policy {
    minimum_length                   = 12
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = true
    temporary_password_validity_days = 3
  }

  mfa_configuration = "OPTIONAL"
  software_token_mfa_configuration {
    enabled = true
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  # Tenant names are Airloom's (airloom.tenancy.TENANT_PATTERN: at most 31 characters).
  schema {
    name                     = "tenant"
    attribute_data_type      = "String"
    mutable                  = true
    developer_only_attribute = false
    required                 = false
    string_attribute_constraints {
      min_length = 1
      max_length = 31
    }
  }
}

resource "aws_cognito_user_group" "role" {
  for_each     = local.roles
  name         = "${local.role_prefix}${each.key}"
  user_pool_id = aws_cognito_user_pool.people.id
  precedence   = each.value
  description  = "Airloom ${each.key}s (servicekit.identity reads the role from cognito:groups)"
}

# The hosted sign-in pages: https://<prefix>.auth.<region>.amazoncognito.com.
resource "aws_cognito_user_pool_domain" "people" {
  domain       = local.sign_in_domain_prefix
  user_pool_id = aws_cognito_user_pool.people.id
  # The classic hosted pages, said rather than left to Cognito's default: managed login (2)
  # shows no page until a branding style exists, which the pinned provider cannot create.
  managed_login_version = 1
}

resource "aws_cognito_user_pool_client" "studio" {
  name         = "${var.name}-studio"
  user_pool_id = aws_cognito_user_pool.people.id

  # A browser app keeps no secret: authorization code with PKCE.
  generate_secret                      = false
  allowed_oauth_flows_user_pool_client = true
  allowed_oauth_flows                  = ["code"]
  allowed_oauth_scopes                 = ["openid", "email", "profile"]
  supported_identity_providers         = ["COGNITO"]
  explicit_auth_flows                  = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]

  callback_urls = concat([local.studio_callback_url], var.studio_extra_callback_urls)
  logout_urls   = concat([local.studio_url], var.studio_extra_logout_urls)

  id_token_validity      = 1
  access_token_validity  = 1
  refresh_token_validity = 12
  token_validity_units {
    id_token      = "hours"
    access_token  = "hours"
    refresh_token = "hours"
  }

  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  # The ID token carries what the client may read. The tenant is read-only here: a person who
  # could write custom:tenant could move themselves into another tenant.
  read_attributes  = ["email", "email_verified", "name", "custom:tenant"]
  write_attributes = ["email", "name"]
}

# API Gateway checks the ID token on every /app/* route that is not needed before sign-in.
resource "aws_api_gateway_authorizer" "people" {
  name            = "${var.name}-people"
  rest_api_id     = aws_api_gateway_rest_api.this.id
  type            = "COGNITO_USER_POOLS"
  provider_arns   = [aws_cognito_user_pool.people.arn]
  identity_source = "method.request.header.Authorization"
}
