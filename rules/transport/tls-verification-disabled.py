import aiohttp
import httpx
import requests
from requests import post


def fetch(url):
    # ruleid: tls-verification-disabled
    requests.get(url, verify=False, timeout=5)
    # ruleid: tls-verification-disabled
    post(url, json={}, timeout=5, verify=False)
    # ruleid: tls-verification-disabled
    client = httpx.Client(verify=False)
    # ruleid: tls-verification-disabled
    connector = aiohttp.TCPConnector(ssl=False)
    session = requests.Session()
    # ruleid: tls-verification-disabled
    session.verify = False
    # ok: tls-verification-disabled
    requests.get(url, verify=True, timeout=5)
    # ok: tls-verification-disabled
    requests.get(url, verify="/etc/ssl/private-ca.pem", timeout=5)
    # ok: tls-verification-disabled
    httpx.Client(verify=True)
    # ok: tls-verification-disabled
    signer.verify(payload, verify=False)
    # ok: tls-verification-disabled
    options.verify = False
    return client, connector
