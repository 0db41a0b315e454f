terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100.0"
    }
  }
  # State lives in S3; give bucket, key and region with `terraform init -backend-config=...`.
  backend "s3" {}
}
