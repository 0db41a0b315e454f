"""Loopback stand-ins for the AWS AI services moto does not implement usefully.

One threading HTTP server speaks each service's wire protocol as botocore sends it (JSON
protocols by ``X-Amz-Target``, REST-JSON ones by method and path), so Airloom's nodes run
unchanged through the Amazon provider's hooks with a connection whose ``service_config``
points those services here. Each service is a module of this package registering its
operations; answers are deterministic functions of the input (documented in each module), and
objects named by ``s3://`` references are read from the moto server the stand-in is given,
as the real services read S3.

Tests steer faults through :class:`~tests.harness.aws_stand_ins.server.StandIn`: throttle an
operation's next calls (the service's ``ThrottlingException``), and read what was called.
"""
