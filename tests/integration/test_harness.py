"""The AWS stand-in is a real server on loopback that boto3 reaches over HTTP."""

import boto3


def test_moto_server_keeps_s3_objects(moto) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="airloom-harness")
    s3.put_object(Bucket="airloom-harness", Key="dags/hello.py", Body=b"print('hi')")
    body = s3.get_object(Bucket="airloom-harness", Key="dags/hello.py")["Body"].read()
    assert body == b"print('hi')"
