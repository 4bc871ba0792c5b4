import base64
import json
import pickle

from flask import request


def restore_cart():
    blob = base64.b64decode(request.cookies["cart"])
    # ruleid: untrusted-deserialisation
    return pickle.loads(blob)


def upload():
    # ruleid: untrusted-deserialisation
    return pickle.loads(request.get_data())


def django_view(request):
    # ruleid: untrusted-deserialisation
    state = pickle.loads(request.body)
    return state


def from_cache(cache, key):
    # ok: untrusted-deserialisation
    return pickle.loads(cache.get(key))


def json_upload():
    # ok: untrusted-deserialisation
    return json.loads(request.get_data())


def save():
    # ok: untrusted-deserialisation
    return pickle.dumps(request.form.to_dict())
