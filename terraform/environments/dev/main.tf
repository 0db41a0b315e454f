# dev: smallest sizes, one NAT gateway, no standby databases, everything deletable; workflows
# on provisioned MWAA unless airflow_target is mwaa_serverless (the mwaa_* sizes apply only
# with provisioned MWAA).

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "airloom", Environment = "dev", ManagedBy = "terraform" }
  }
}

module "airloom" {
  source      = "../../stack"
  environment = "dev"

  vpc_cidr_block     = "10.20.0.0/16"
  availability_zones = ["${var.region}a", "${var.region}b"]
  single_nat_gateway = true

  airflow_version        = "3.0.6"
  mwaa_environment_class = "mw1.small"
  mwaa_min_workers       = 1
  mwaa_max_workers       = 2
  mwaa_schedulers        = 2

  kafka_broker_instance_type = "kafka.t3.small"
  kafka_brokers_per_zone     = 1

  db_instance_class     = "db.t4g.micro"
  db_multi_az           = false
  service_desired_count = 1
  image_tag             = var.image_tag
  studio_url            = var.studio_url
  tenants               = var.tenants
  airflow_target        = var.airflow_target
  # No interface endpoints in dev: its few calls to AWS APIs go through the NAT (~$100 a month less).
  interface_endpoints   = var.airflow_target == "mwaa" ? null : []
  training_image_tag    = var.training_image_tag
  protect_from_deletion = false

  alarm_emails = var.alarm_emails
}
