import os
import socket

import uvicorn


def serve(app):
    # ruleid: bind-all-interfaces
    uvicorn.run(app, host="0.0.0.0", port=8000)
    # ruleid: bind-all-interfaces
    app.run(host="0.0.0.0")
    sock = socket.socket()
    # ruleid: bind-all-interfaces
    sock.bind(("", 9000))
    # ok: bind-all-interfaces
    uvicorn.run(app, host="127.0.0.1", port=8000)
    # ok: bind-all-interfaces
    uvicorn.run(app, host=os.environ.get("HOST", "127.0.0.1"))
    # ok: bind-all-interfaces
    sock.bind(("127.0.0.1", 9000))


if __name__ == "__main__":
    # ok: bind-all-interfaces
    uvicorn.run("main:app", host="0.0.0.0", reload=True)
