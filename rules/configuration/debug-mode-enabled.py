import os
import unittest

from fastapi import FastAPI
from flask import Flask

server = Flask(__name__)
# ruleid: debug-mode-enabled
api = FastAPI(title="orders", debug=True)
# ok: debug-mode-enabled
service = FastAPI(title="orders")
# ruleid: debug-mode-enabled
server.config["DEBUG"] = True
# ok: debug-mode-enabled
server.config["DEBUG"] = os.environ.get("FLASK_DEBUG") == "1"


def main(app, runner, suite):
    # ruleid: debug-mode-enabled
    app.run(host="127.0.0.1", debug=True)
    # ok: debug-mode-enabled
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
    # ok: debug-mode-enabled
    runner.run(suite, debug=True)
    # ok: debug-mode-enabled
    unittest.main(debug=True)


if __name__ == "__main__":
    # ruleid: debug-mode-enabled
    server.run(debug=True)


from aiohttp import web

# ruleid: debug-mode-enabled
aio = web.Application(debug=True)
# ok: debug-mode-enabled
aio_prod = web.Application(middlewares=[])
