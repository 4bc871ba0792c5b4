"""The taint rules: one per weakness, each with its metadata, its documentation and examples that
may span several modules. The examples are tests (tests/test_taint.py runs every one: in an
INVALID example the line marked `# expect: <CODE>` must get that finding, a VALID one gets none)
and `backend-lint explain` shows the first of each.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog import RuleInfo

_VALIDATE = ("security.input-validation", "rule.validate-user-input", "security.owasp-top-10")


@dataclass(frozen=True)
class TaintRule:
    code: str
    name: str
    cwe: int
    category: str
    severity: str
    agent: str
    checklist: tuple[str, ...]
    summary: str
    why: str
    advice: str  # what to do instead, closing the finding's message
    invalid: tuple[dict[str, str], ...] = ()  # example projects: path -> source
    valid: tuple[dict[str, str], ...] = ()
    frameworks: tuple[str, ...] = ()  # only flows from these frameworks' requests (); any
    references: tuple[str, ...] = ()

    def info(self) -> RuleInfo:
        return RuleInfo(
            code=self.code, name=self.name, category=self.category, severity=self.severity, agent=self.agent,
            checklist=self.checklist, cwe=(self.cwe,), engine="taint", summary=self.summary,
            doc=f"## What it does\n{self.summary}; the flow may cross functions and modules.\n\n"
                f"## Why is this bad?\n{self.why}\n\n## Use instead\n{self.advice}",
            example=_shown(self.invalid[0]) if self.invalid else "", use_instead=_shown(self.valid[0]) if self.valid else "",
            references=(*self.references, f"https://cwe.mitre.org/data/definitions/{self.cwe}.html"),
        )  # fmt: skip


def _shown(project: dict[str, str]) -> str:
    import re

    parts = []
    for path, code in project.items():
        text = "\n".join(re.sub(r"\s*#\s*expect:.*$", "", line) for line in code.strip("\n").splitlines())
        parts.append(f"# {path}\n{text}" if len(project) > 1 else text)
    return "\n\n".join(parts)


SHELL = """\
import subprocess


def run(command):
    return subprocess.run(command, shell=True, capture_output=True){marker}
"""

_INPUT = ("security.input-validation", "api.input-validation", "rule.validate-user-input", "standard.input-validation")
_INPUT_WHY = ("Unchecked payloads carry wrong types, missing fields, oversized values and hostile strings straight into "
              "the database and the services the server calls; the standard asks to validate every input at the "
              "boundary. Data only compared, checked against an allow-list, cast (`int(...)`) or used in "
              "parameterised lookups (`filter(name=q)`) is not reported.")  # fmt: skip

FLASK_INPUT_INVALID = {
    "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "shop/views.py": (
        "from flask import redirect, request\n\nfrom . import app\nfrom .models import User, db\nfrom .orders import record\n\n\n"
        '@app.post("/users")\ndef register():\n    user = User(email=request.form["email"])\n'
        "    db.session.add(user)  # expect: BL401\n    return redirect(\"/\")\n\n\n"
        '@app.post("/orders")\ndef create_order():\n    return record(request.get_json())\n'
    ),
    "shop/orders.py": (
        "from .models import Order, db\n\n\ndef record(payload):\n"
        "    db.session.add(Order(**payload))  # expect: BL401\n    db.session.commit()\n"
    ),
    "shop/models.py": "class User:\n    pass\n\n\nclass Order:\n    pass\n\n\ndb = None\n",
}
FLASK_INPUT_VALID = {
    "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
    "shop/views.py": (
        "from flask import abort, request\n\nfrom . import app\nfrom .models import Item, db\nfrom .schemas import ItemSchema\n\n\n"
        '@app.post("/items")\ndef create_item():\n    data = ItemSchema().load(request.get_json())\n'
        '    db.session.add(Item(**data))\n    return {"ok": True}, 201\n\n\n'
        '@app.get("/search")\ndef search():\n    q = request.args.get("q", "")\n'
        '    return {"rows": Item.query.filter(Item.name.ilike(f"%{q}%")).all()}\n\n\n'
        '@app.post("/status")\ndef set_status():\n    status = request.form["status"]\n'
        '    if status not in ("open", "closed"):\n        abort(400)\n    db.session.add(Item(status=status))\n    return {}\n'
    ),
    "shop/models.py": "class Item:\n    pass\n\n\ndb = None\n",
    "shop/schemas.py": "from marshmallow import Schema, fields\n\n\nclass ItemSchema(Schema):\n    name = fields.Str(required=True)\n",
}
DJANGO_INPUT_INVALID = {
    "billing/views.py": (
        "import json\n\nfrom django.http import JsonResponse\n\nfrom .models import Invoice, Order\nfrom .services import apply_code\n\n\n"
        "def mark_paid(request, invoice_id):\n    reference = request.POST[\"reference\"]\n"
        "    Invoice.objects.filter(pk=invoice_id).update(status=\"paid\", reference=reference)  # expect: BL403\n"
        "    return JsonResponse({})\n\n\n"
        "def create_order(request):\n    data = json.loads(request.body)\n"
        "    order = Order.objects.create(**data)  # expect: BL403\n    return JsonResponse({\"id\": order.id})\n\n\n"
        "def discount(request, pk):\n    apply_code(pk, request.GET.get(\"code\"))\n    return JsonResponse({})\n"
    ),
    "billing/services.py": (
        "from .models import Invoice\n\n\ndef apply_code(pk, code):\n"
        "    Invoice.objects.filter(pk=pk).update(discount_code=code)  # expect: BL403\n"
    ),
    "billing/models.py": "from django.db import models\n\n\nclass Invoice(models.Model):\n    pass\n\n\nclass Order(models.Model):\n    pass\n",
}
DJANGO_INPUT_VALID = {
    # what real projects do: a form, a serializer, an allow-list, a lookup, a comparison
    "billing/views.py": (
        "from django.http import HttpResponseRedirect, JsonResponse\nfrom django.utils.http import url_has_allowed_host_and_scheme\n"
        "from rest_framework.response import Response\nfrom rest_framework.views import APIView\n\n"
        "from .forms import ContactForm\nfrom .models import Invoice, Message\nfrom .serializers import InvoiceSerializer\n\n\n"
        "def contact(request):\n    form = ContactForm(request.POST)\n    if form.is_valid():\n"
        "        Message.objects.create(**form.cleaned_data)\n    return JsonResponse({})\n\n\n"
        "def search(request):\n    q = request.GET.get(\"q\", \"\")\n"
        "    return JsonResponse({\"ids\": list(Invoice.objects.filter(customer__email__icontains=q).values_list(\"pk\"))})\n\n\n"
        "def set_state(request, pk):\n    state = request.POST[\"state\"]\n    if state not in (\"open\", \"paid\"):\n"
        "        return JsonResponse({}, status=400)\n    Invoice.objects.filter(pk=pk).update(state=state)\n    return JsonResponse({})\n\n\n"
        "def set_language(request):\n    next_url = request.POST.get(\"next\", \"/\")\n"
        "    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):\n        next_url = \"/\"\n"
        "    return HttpResponseRedirect(next_url)\n\n\n"
        "class CreateInvoice(APIView):\n    def post(self, request):\n        serializer = InvoiceSerializer(data=request.data)\n"
        "        serializer.is_valid(raise_exception=True)\n        Invoice.objects.create(**serializer.validated_data)\n"
        "        return Response(serializer.data, status=201)\n"
    ),
    "billing/forms.py": "from django import forms\n\n\nclass ContactForm(forms.Form):\n    email = forms.EmailField()\n",
    "billing/serializers.py": "from rest_framework import serializers\n\n\nclass InvoiceSerializer(serializers.Serializer):\n    amount = serializers.IntegerField()\n",
    "billing/models.py": "from django.db import models\n\n\nclass Invoice(models.Model):\n    pass\n\n\nclass Message(models.Model):\n    pass\n",
}

RULES = (
    TaintRule(
        "BL401", "unvalidated-flask-input", 20, "input-validation", "medium", "api/validation", _INPUT,
        "Flask request data (`form`, `args`, `get_json()`, `data`, `values`) is stored or sent on without a schema",
        _INPUT_WHY,
        "pass it through a schema (pydantic, marshmallow, WTForms) or `type=` first",
        invalid=(FLASK_INPUT_INVALID,), valid=(FLASK_INPUT_VALID,), frameworks=("flask",),
        references=("https://flask.palletsprojects.com/en/latest/api/#flask.Request",),
    ),
    TaintRule(
        "BL403", "unvalidated-django-input", 20, "input-validation", "medium", "api/validation", _INPUT,
        "Django / DRF request data (`POST`, `GET`, `body`, `data`, `query_params`) is stored or sent on without a Form or Serializer",
        _INPUT_WHY,
        "validate it with a Form (`is_valid()` / `cleaned_data`) or a DRF Serializer first",
        invalid=(DJANGO_INPUT_INVALID,), valid=(DJANGO_INPUT_VALID,), frameworks=("django",),
        references=("https://docs.djangoproject.com/en/stable/topics/forms/",
                    "https://www.django-rest-framework.org/api-guide/serializers/#validation"),
    ),
    TaintRule(
        "BL410", "request-data-in-sql-query", 89, "sql-injection", "critical", "database/queries",
        ("security.sql-injection", "principle.parameterized-queries"),
        "Request data reaches the text of an SQL query",
        "Whoever sends the request chooses part of the query: they can read or change any table.",
        "pass the value as a query parameter (`cursor.execute(sql, params)`), never in the SQL text",
        invalid=({
            "shop/views.py": 'from flask import request\n\nfrom .repo import find\n\n\n@app.get("/users")\ndef users():\n    return find(request.args["name"])\n',
            "shop/repo.py": 'from .db import cursor\n\n\ndef find(name):\n    return cursor().execute(f"SELECT * FROM users WHERE name = \'{name}\'")  # expect: BL410\n',
            "shop/db.py": "def cursor():\n    ...\n",
            "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        },),
        valid=({
            "shop/views.py": 'from flask import request\n\nfrom .repo import find\n\n\n@app.get("/users")\ndef users():\n    return find(request.args["name"])\n',
            "shop/repo.py": 'from .db import cursor\n\n\ndef find(name):\n    return cursor().execute("SELECT * FROM users WHERE name = %s", (name,))\n',
            "shop/db.py": "def cursor():\n    ...\n",
            "shop/__init__.py": "from flask import Flask\n\napp = Flask(__name__)\n",
        },),
    ),
    TaintRule(
        "BL411", "request-data-in-shell-command", 78, "injection", "critical", "auth-security/vulnerabilities",
        _VALIDATE, "Request data reaches a command run by a shell",
        "A `;`, `|` or `$(...)` in the value runs any command the sender likes, with the server's rights.",
        "pass an argument list without `shell=True`, or quote the value with `shlex.quote`",
        invalid=({
            "app/views.py": 'from flask import Flask, request\n\nfrom .tools import scan\n\napp = Flask(__name__)\n\n\n@app.get("/scan")\ndef do_scan():\n    return scan(request.args["ip"])\n',
            "app/tools.py": 'from .shell import run\n\n\ndef scan(ip):\n    return run("nmap " + ip)\n',
            "app/shell.py": SHELL.format(marker="  # expect: BL411"),
        },),
        valid=({
            "app/views.py": 'import shlex\n\nfrom flask import Flask, request\n\nfrom .tools import scan\n\napp = Flask(__name__)\n\n\n@app.get("/scan")\ndef do_scan():\n    return scan(shlex.quote(request.args["ip"]))\n',
            "app/tools.py": 'from .shell import run\n\n\ndef scan(ip):\n    return run("nmap " + ip)\n',
            "app/shell.py": SHELL.format(marker=""),
        },),
    ),
    TaintRule(
        "BL412", "request-data-in-code-eval", 94, "injection", "critical", "auth-security/vulnerabilities",
        _VALIDATE, "Request data reaches `eval`, `exec` or `compile`",
        "The sender's text runs as Python code on the server.",
        "parse the value (`json.loads`, `ast.literal_eval`, an allow-list of operations) instead of running it",
        invalid=({"calc/api.py": 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/calc")\ndef calc(expr: str):\n    return {"result": eval(expr)}  # expect: BL412\n'},),
        valid=({"calc/api.py": 'import ast\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get("/calc")\ndef calc(expr: str, times: int):\n    eval(str(times))\n    return {"result": ast.literal_eval(expr)}\n'},),
    ),
    TaintRule(
        "BL413", "request-data-in-file-path", 22, "injection", "high", "auth-security/vulnerabilities",
        _VALIDATE, "Request data reaches a file path that is opened, listed, removed or sent",
        "`../` in the value reaches files outside the intended folder: configuration, keys, other users' data.",
        "keep only the file name (`os.path.basename`, `werkzeug.utils.secure_filename`), or check the resolved path stays inside the folder",
        invalid=({
            "files/views.py": 'from django.http import FileResponse\n\nfrom .storage import path_for\n\n\ndef download(request):\n    name = request.GET["name"]\n    return FileResponse(open(path_for(name), "rb"))  # expect: BL413\n',
            "files/storage.py": 'import os\n\nROOT = "/srv/files"\n\n\ndef path_for(name):\n    return os.path.join(ROOT, name)\n',
        },),
        valid=({
            "files/views.py": 'import os\n\nfrom django.http import FileResponse, Http404\n\nfrom .storage import path_for\n\n\ndef download(request):\n    name = request.GET["name"]\n    if ".." in name or name.startswith("/"):\n        raise Http404()\n    return FileResponse(open(path_for(os.path.basename(name)), "rb"))\n',
            "files/storage.py": 'import os\n\nROOT = "/srv/files"\n\n\ndef path_for(name):\n    return os.path.join(ROOT, name)\n',
        },),
    ),
    TaintRule(
        "BL414", "request-data-in-redirect", 601, "input-validation", "medium", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is the target of a redirect",
        "A link to your site can send its visitors anywhere: phishing pages borrow your domain's trust.",
        "redirect only to paths of your own site: check with `url_has_allowed_host_and_scheme` or an allow-list",
        invalid=({
            "auth/views.py": 'from flask import Flask, redirect, request\n\nfrom .helpers import next_url\n\napp = Flask(__name__)\n\n\n@app.post("/login")\ndef login():\n    target = next_url(request.args.get("next"))\n    return redirect(target)  # expect: BL414\n',
            "auth/helpers.py": 'def next_url(value):\n    return value or "/"\n',
        },),
        valid=({
            "auth/views.py": 'from flask import Flask, abort, redirect, request\n\nfrom .helpers import allowed\n\napp = Flask(__name__)\n\n\n@app.post("/login")\ndef login():\n    target = request.args.get("next", "/")\n    if not allowed(target):\n        abort(400)\n    return redirect(target)\n',
            "auth/helpers.py": 'def allowed(value):\n    return value.startswith("/") and not value.startswith("//")\n',
        },),
    ),
    TaintRule(
        "BL415", "request-data-in-html", 79, "injection", "high", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is marked safe HTML or sent as an HTML response without escaping",
        "The sender's markup runs as script in other users' browsers: sessions and actions are theirs.",
        "escape the value (`html.escape`, `format_html`) or render it through an autoescaping template",
        invalid=({"blog/views.py": 'from django.utils.safestring import mark_safe\n\n\ndef comment(request):\n    text = request.POST["text"]\n    return render(request, "c.html", {"body": mark_safe(text)})  # expect: BL415\n'},),
        valid=({"blog/views.py": 'from django.utils.html import format_html\nfrom django.utils.safestring import mark_safe\n\n\ndef comment(request):\n    text = request.POST["text"]\n    return render(request, "c.html", {"body": mark_safe(format_html("<p>{}</p>", text))})\n'},),
    ),
    TaintRule(
        "BL416", "request-data-in-template", 1336, "injection", "critical", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is compiled as a template",
        "Template syntax in the value runs on the server (`{{ config }}`, and from there code).",
        "pass the value to a fixed template as a variable: `render_template_string(TEMPLATE, name=value)`",
        invalid=({"pages/views.py": 'from flask import Flask, render_template_string, request\n\napp = Flask(__name__)\n\n\n@app.get("/hello")\ndef hello():\n    return render_template_string("<h1>Hello " + request.args["name"] + "</h1>")  # expect: BL416\n'},),
        valid=({"pages/views.py": 'from flask import Flask, render_template_string, request\n\napp = Flask(__name__)\n\n\n@app.get("/hello")\ndef hello():\n    return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])\n'},),
    ),
    TaintRule(
        "BL417", "request-data-deserialised", 502, "injection", "critical", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is unpickled or loaded with an unsafe deserialiser",
        "pickle, marshal and `yaml.load` build any object the data describes, and running code is one of them.",
        "accept JSON (`json.loads`) or `yaml.safe_load`, and validate it with a schema",
        invalid=({"sync/handlers.py": 'import pickle\n\nfrom aiohttp import web\n\n\nasync def restore(request: web.Request):\n    state = pickle.loads(await request.read())  # expect: BL417\n    return web.json_response(state)\n'},),
        valid=({"sync/handlers.py": 'import json\n\nfrom aiohttp import web\n\n\nasync def restore(request: web.Request):\n    state = json.loads(await request.read())\n    return web.json_response(state)\n'},),
    ),
    TaintRule(
        "BL418", "request-data-in-xml-parser", 611, "injection", "high", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is parsed by an XML parser that resolves external entities",
        "An entity in the document reads local files or reaches internal hosts from the server.",
        "parse with `defusedxml`, or an lxml parser built with `resolve_entities=False, no_network=True`",
        invalid=({"feeds/views.py": 'from django.http import JsonResponse\nfrom lxml import etree\n\n\ndef upload(request):\n    return etree.fromstring(request.body)  # expect: BL418\n'},),
        valid=({"feeds/views.py": 'import defusedxml.ElementTree as etree\nfrom django.http import JsonResponse\n\n\ndef upload(request):\n    return etree.fromstring(request.body)\n'},),
    ),
    TaintRule(
        "BL419", "request-data-in-xpath", 643, "injection", "high", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is spliced into an XPath expression",
        "Quotes in the value change what the query selects: other users' records, or the whole document.",
        "pass the value as an XPath variable: `tree.xpath('//user[@name=$name]', name=value)`",
        invalid=({"dir/views.py": 'from django.http import JsonResponse\n\n\ndef find(request):\n    name = request.GET["name"]\n    return TREE.xpath("//user[@name=\'" + name + "\']")  # expect: BL419\n'},),
        valid=({"dir/views.py": 'from django.http import JsonResponse\n\n\ndef find(request):\n    name = request.GET["name"]\n    return TREE.xpath("//user[@name=$name]", name=name)\n'},),
    ),
    TaintRule(
        "BL420", "request-data-in-ldap-filter", 90, "injection", "high", "auth-security/authentication",
        _VALIDATE, "Request data is spliced into an LDAP search filter",
        "`*` and `)(` in the value widen the search: a login filter then matches any user.",
        "escape the value with `ldap.filter.escape_filter_chars` (ldap3: `escape_filter_chars`)",
        invalid=({"sso/views.py": 'from django.http import JsonResponse\n\n\ndef login(request):\n    user = request.POST["user"]\n    return CONN.search_s(BASE, SCOPE, f"(uid={user})")  # expect: BL420\n'},),
        valid=({"sso/views.py": 'from django.http import JsonResponse\nfrom ldap.filter import escape_filter_chars\n\n\ndef login(request):\n    user = escape_filter_chars(request.POST["user"])\n    return CONN.search_s(BASE, SCOPE, f"(uid={user})")\n'},),
    ),
    TaintRule(
        "BL421", "request-data-in-outgoing-url", 918, "injection", "high", "auth-security/vulnerabilities",
        _VALIDATE, "Request data is the URL or host of a request the server makes",
        "The server fetches what the sender names: cloud metadata, internal services, localhost admin pages.",
        "build the URL from a fixed base and check the host against an allow-list",
        invalid=({"hooks/api.py": 'import requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/preview")\ndef preview(url: str):\n    return requests.get(url, timeout=5).text  # expect: BL421\n'},),
        valid=({"hooks/api.py": 'import requests\nfrom fastapi import FastAPI, HTTPException\n\napp = FastAPI()\nHOSTS = ("https://api.example.com/a", "https://api.example.com/b")\n\n\n@app.post("/preview")\ndef preview(url: str):\n    if url not in HOSTS:\n        raise HTTPException(400)\n    return requests.get(url, timeout=5).text\n'},),
    ),
)
