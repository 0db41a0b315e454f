# Activity events (docs/insights.md): every service sends its own to the Kafka topic
# airloom.activity on MSK, signing in with its task role (IAM auth, port 9098); insights
# consumes the topic into the lake. The policies name the one topic and group they use, never
# every topic of the cluster.

locals {
  msk_iam_port            = 9098
  activity_topic          = "airloom.activity"
  activity_dead_letters   = "${local.activity_topic}.dead_letters"
  insights_consumer_group = "airloom-insights"

  # MSK's IAM resources sit beside the cluster's ARN:
  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> …:topic/<name>/<uuid>/<topic>.
  msk_topic_prefix          = replace(var.msk_cluster_arn, ":cluster/", ":topic/")
  msk_group_prefix          = replace(var.msk_cluster_arn, ":cluster/", ":group/")
  activity_topic_arn        = "${local.msk_topic_prefix}/${local.activity_topic}"
  activity_dead_letters_arn = "${local.msk_topic_prefix}/${local.activity_dead_letters}"
  insights_group_arn        = "${local.msk_group_prefix}/${local.insights_consumer_group}"
}

# The services' tasks are in this group too: MSK admits it on its IAM listener. It stands
# apart from each service's own group so the cluster can name it without depending on the
# services (whose environment names the cluster).
resource "aws_security_group" "kafka_clients" {
  # checkov:skip=CKV2_AWS_5: attached to every service's tasks by modules/ecs_service (extra_security_group_ids), a module variable checkov does not follow; tests/insights.tftest.hcl checks its one rule
  name        = "${var.name}-services-kafka"
  description = "Airloom services that reach MSK with IAM auth (activity events)"
  vpc_id      = var.vpc_id

  egress {
    description = "Kafka over TLS with IAM auth inside the VPC"
    from_port   = local.msk_iam_port
    to_port     = local.msk_iam_port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

# What a producer of activity may do: connect, and create, describe and write airloom.activity
# (the producer creates the topic on first use if it is missing). Airloom's producers are
# idempotent; with WriteData granted on one topic rather than all, MSK asks for
# WriteDataIdempotently on the cluster as well.
data "aws_iam_policy_document" "activity_producer" {
  statement {
    sid       = "ActivityConnect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.msk_cluster_arn]
  }
  statement {
    sid       = "ActivityWrite"
    actions   = ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
    resources = [local.activity_topic_arn]
  }
}
