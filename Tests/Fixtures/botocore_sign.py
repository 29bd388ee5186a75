"""Signs requests with botocore's S3SigV4Auth: reads JSON cases on stdin (method, endpoint, path
(not encoded), query pairs, key, secret, token, region), prints for each the X-Amz-Date botocore
used and its Authorization header."""
import json
import sys
from urllib.parse import quote

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

out = []
for case in json.load(sys.stdin):
    query = "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in case["query"])
    url = case["endpoint"] + quote(case["path"], safe="/~") + ("?" + query if query else "")
    request = AWSRequest(method=case["method"], url=url, headers={})
    S3SigV4Auth(Credentials(case["key"], case["secret"], case.get("token")), "s3", case["region"]).add_auth(request)
    out.append({"date": request.headers["X-Amz-Date"], "authorization": request.headers["Authorization"]})
print(json.dumps(out))
