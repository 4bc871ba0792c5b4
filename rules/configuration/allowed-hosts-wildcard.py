import os

# ruleid: allowed-hosts-wildcard
ALLOWED_HOSTS = ["*"]
# ruleid: allowed-hosts-wildcard
ALLOWED_HOSTS = ("api.example.com", "*")
# ruleid: allowed-hosts-wildcard
ALLOWED_HOSTS.append("*")
# ok: allowed-hosts-wildcard
ALLOWED_HOSTS = ["api.example.com", ".example.com"]
# ok: allowed-hosts-wildcard
ALLOWED_HOSTS = os.environ["ALLOWED_HOSTS"].split(",")
# ok: allowed-hosts-wildcard
CORS_EXPOSE_HEADERS = ["*"]
