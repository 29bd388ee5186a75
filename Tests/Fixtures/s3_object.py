"""get/put/delete one object on the test's moto server: s3_object.py ENDPOINT OP KEY [FILE]."""
import os
import sys

import boto3

endpoint, op, key = sys.argv[1:4]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
if op == "get":
    s3.download_file("dvc-store", key, sys.argv[4])
elif op == "put":
    s3.upload_file(sys.argv[4], "dvc-store", key)
elif op == "delete":
    s3.delete_object(Bucket="dvc-store", Key=key)
