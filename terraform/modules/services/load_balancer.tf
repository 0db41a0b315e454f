# REST API VPC links need a Network Load Balancer: one listener per service port.

locals {
  lowest_port  = min([for service in local.services : service.port]...)
  highest_port = max([for service in local.services : service.port]...)
}

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-services-lb"
  description = "Services load balancer: API Gateway VPC link traffic from inside the VPC"
  vpc_id      = var.vpc_id

  ingress {
    description = "Service ports from the VPC link and MWAA DAGs"
    from_port   = local.lowest_port
    to_port     = local.highest_port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }

  egress {
    description = "To the service tasks"
    from_port   = local.lowest_port
    to_port     = local.highest_port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

resource "aws_lb" "services" {
  name                             = "${var.name}-services"
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.private_subnet_ids
  security_groups                  = [aws_security_group.load_balancer.id]
  enable_cross_zone_load_balancing = true
  enable_deletion_protection       = var.deletion_protection

  access_logs {
    bucket  = var.access_log_bucket
    prefix  = "load-balancers/${var.name}-services"
    enabled = true
  }

  # API Gateway's VPC link reaches the load balancer over PrivateLink.
  enforce_security_group_inbound_rules_on_private_link_traffic = "off"
}

resource "aws_lb_target_group" "service" {
  for_each    = local.services
  name        = "${var.name}-${each.key}"
  port        = each.value.port
  protocol    = "TCP"
  target_type = "ip"
  vpc_id      = var.vpc_id

  health_check {
    protocol = "HTTP"
    path     = "/healthz"
    matcher  = "200"
  }
}

resource "aws_lb_listener" "service" {
  for_each          = local.services
  load_balancer_arn = aws_lb.services.arn
  port              = each.value.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.service[each.key].arn
  }
}
