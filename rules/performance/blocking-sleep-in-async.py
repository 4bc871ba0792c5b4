import asyncio
import time


async def poll(job):
    while not job.done:
        # ruleid: blocking-sleep-in-async
        time.sleep(1)
    # ok: blocking-sleep-in-async
    await asyncio.sleep(1)


def worker(job):
    # ok: blocking-sleep-in-async
    time.sleep(1)


async def offload(loop):
    # ok: blocking-sleep-in-async
    await loop.run_in_executor(None, time.sleep, 1)
