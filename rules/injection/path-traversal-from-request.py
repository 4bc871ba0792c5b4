import os

from flask import request, send_file, send_from_directory
from werkzeug.utils import secure_filename

UPLOADS = "/srv/uploads"


def download():
    name = request.args["file"]
    # ruleid: path-traversal-from-request
    return send_file(os.path.join(UPLOADS, name))


def delete():
    # ruleid: path-traversal-from-request
    os.remove(UPLOADS + "/" + request.form["file"])


def django_view(request):
    # ruleid: path-traversal-from-request
    with open(f"/srv/reports/{request.GET['name']}") as fh:
        return fh.read()


def safe_download():
    # ok: path-traversal-from-request
    return send_from_directory(UPLOADS, request.args["file"])


def safe_upload():
    upload = request.files["file"]
    # ok: path-traversal-from-request
    with open(os.path.join(UPLOADS, secure_filename(upload.filename)), "wb") as fh:
        fh.write(upload.read())


def report(report_id):
    # ok: path-traversal-from-request
    with open(os.path.join("/srv/reports", "latest.csv")) as fh:
        return fh.read()
