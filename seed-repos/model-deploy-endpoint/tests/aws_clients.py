"""Offline boto3 clients for botocore's Stubber: fixed region, dummy keys, never a network call."""

import boto3


def offline_client(service: str):
    return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                        aws_secret_access_key="testing")
