"""Creates an IAM user with an allow-all policy and an access key on a moto server started with
INITIAL_NO_AUTH_ACTION_COUNT=3 (so that every later request must carry a valid SigV4 signature),
then the bucket DVC pushes to. Prints the key as JSON."""
import json
import sys

import boto3

endpoint = sys.argv[1]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="setup", aws_secret_access_key="setup")
iam.create_user(UserName="ci")
iam.put_user_policy(UserName="ci", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="ci")["AccessKey"]
s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
s3.create_bucket(Bucket="dvc-store")
print(json.dumps({"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
