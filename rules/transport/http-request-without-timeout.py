import httpx
import requests
from requests import get


def fetch(url, options):
    # ruleid: http-request-without-timeout
    requests.get(url)
    # ruleid: http-request-without-timeout
    get(url, params={"q": 1})
    # ruleid: http-request-without-timeout
    requests.post(url, json={}, timeout=None)
    # ruleid: http-request-without-timeout
    httpx.Client(timeout=None)
    session = requests.Session()
    # ruleid: http-request-without-timeout
    session.get(url)
    # ok: http-request-without-timeout
    session.get(url, timeout=10)
    # ok: http-request-without-timeout
    requests.get(url, timeout=(3.05, 27))
    # ok: http-request-without-timeout
    requests.get(url, **options)
    # ok: http-request-without-timeout
    httpx.get(url)
    # ok: http-request-without-timeout
    requests.Session()
    # ok: http-request-without-timeout
    cache.get(url)
    # ok: http-request-without-timeout
    return requests.codes.ok
