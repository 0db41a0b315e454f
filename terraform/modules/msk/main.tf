# Amazon MSK: TLS between clients and brokers and inside the cluster, encryption at rest with
# the environment's KMS key, IAM as the only client authentication (port 9098).

resource "aws_security_group" "brokers" {
  name        = "${var.name}-msk"
  description = "Kafka brokers: IAM-authenticated TLS from Airloom's clients"
  vpc_id      = var.vpc_id

  dynamic "ingress" {
    for_each = var.client_security_group_ids
    content {
      description     = "Kafka over TLS with IAM auth"
      from_port       = 9098
      to_port         = 9098
      protocol        = "tcp"
      security_groups = [ingress.value]
    }
  }

  egress {
    description = "Brokers replicate to each other"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }
}

resource "aws_cloudwatch_log_group" "brokers" {
  name              = "/airloom/${var.name}/msk"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_msk_configuration" "this" {
  name           = var.name
  kafka_versions = [var.kafka_version]
  # Topics are created by Airloom's operators on first use; three zones are not available here.
  server_properties = <<-EOT
    auto.create.topics.enable=false
    default.replication.factor=2
    min.insync.replicas=1
  EOT
}

resource "aws_msk_cluster" "this" {
  cluster_name           = var.name
  kafka_version          = var.kafka_version
  number_of_broker_nodes = var.brokers_per_zone * length(var.private_subnet_ids)
  enhanced_monitoring    = "PER_TOPIC_PER_PARTITION"

  broker_node_group_info {
    instance_type   = var.broker_instance_type
    client_subnets  = var.private_subnet_ids
    security_groups = [aws_security_group.brokers.id]
    storage_info {
      ebs_storage_info {
        volume_size = var.broker_volume_gb
      }
    }
    connectivity_info {
      public_access {
        type = "DISABLED"
      }
    }
  }

  configuration_info {
    arn      = aws_msk_configuration.this.arn
    revision = aws_msk_configuration.this.latest_revision
  }

  client_authentication {
    unauthenticated = false
    sasl {
      iam = true
    }
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = var.kms_key_arn
    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }

  logging_info {
    broker_logs {
      cloudwatch_logs {
        enabled   = true
        log_group = aws_cloudwatch_log_group.brokers.name
      }
    }
  }
}
