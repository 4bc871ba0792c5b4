import asyncio
import urllib.request

import httpx
import requests


async def profile(user_id):
    # ruleid: blocking-http-in-async
    r = requests.get(f"https://api.example.com/users/{user_id}", timeout=5)
    # ruleid: blocking-http-in-async
    s = httpx.post("https://api.example.com/audit", json={"id": user_id})
    # ruleid: blocking-http-in-async
    t = urllib.request.urlopen("https://api.example.com/health", timeout=5)
    async with httpx.AsyncClient(timeout=5) as client:
        # ok: blocking-http-in-async
        u = await client.get(f"https://api.example.com/users/{user_id}")
    # ok: blocking-http-in-async
    v = await asyncio.to_thread(requests.get, "https://api.example.com/x", timeout=5)
    return r, s, t, u, v


def sync_profile(user_id):
    # ok: blocking-http-in-async
    return requests.get(f"https://api.example.com/users/{user_id}", timeout=5)
