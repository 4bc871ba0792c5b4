"""The taint engine: every rule's examples (projects of one or more modules), the precision
patterns it must not be fooled by, and the path each finding carries."""

from __future__ import annotations

import os
import re

import pytest

from backend_lint.taint import spec
from backend_lint.taint.rules import RULES
from conftest import lint_tree, write

EXPECT = re.compile(r"#\s*expect:\s*(BL\d+)")


def lint_project(root, files: dict[str, str]):
    for path, text in files.items():
        write(root, path, text)
    return lint_tree(root, engines=("taint",))


def expected(files: dict[str, str]) -> list[tuple[str, int, str]]:
    out = []
    for path, text in files.items():
        for number, line in enumerate(text.splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                out.append((path, number, match.group(1)))
    return sorted(out)


EXAMPLES = [(rule.code, "invalid", i, ex) for rule in RULES for i, ex in enumerate(rule.invalid)]
EXAMPLES += [(rule.code, "valid", i, ex) for rule in RULES for i, ex in enumerate(rule.valid)]


@pytest.mark.parametrize(("code", "kind", "index", "files"), EXAMPLES, ids=[f"{c}-{k}{i}" for c, k, i, _ in EXAMPLES])
def test_rule_examples(tmp_path, code, kind, index, files):
    report = lint_project(tmp_path, files)
    found = sorted((f.path, f.line, f.rule) for f in report.findings)
    assert not report.errors
    if kind == "invalid":
        assert found == expected(files)
        assert all(f.trace and f.trace[-1].line == f.line for f in report.findings)
    else:
        assert found == []


def test_every_rule_has_examples_and_a_sink_model():
    sinks = {s.cwe for group in (*spec.load().sinks.values(), *spec.load().sink_methods.values()) for s in group}
    for rule in RULES:
        assert rule.invalid and rule.valid, rule.code
        assert rule.cwe in sinks, f"{rule.code}: no sink models CWE-{rule.cwe}"
        assert any(EXPECT.search(text) for ex in rule.invalid for text in ex.values()), rule.code


SHOP_HELPERS = '''\
import os


def ping(host):
    return os.popen("ping " + host)


def constant(value):
    return "fixed"


def checked(name):
    if name not in ("a", "b"):
        raise ValueError(name)
    return name
'''

PRECISION = {
    "dead branch": 'name = request.args["n"]\n    if 7 * 18 > 200:\n        helpers.ping(name)',
    "overwritten by a constant": 'name = request.args["n"]\n    name = "fixed"\n    helpers.ping(name)',
    "other dict slot": 'd = {"a": request.args["a"], "b": "ok"}\n    helpers.ping(d["b"])',
    "other list slot": 'items = [request.args["a"], "ok"]\n    helpers.ping(items[1])',
    "other tuple element": 'first, second = request.args["a"], "ok"\n    helpers.ping(second)',
    "helper returning a constant": 'helpers.ping(helpers.constant(request.args["n"]))',
    "validating helper": 'helpers.ping(helpers.checked(request.args["n"]))',
    "match on a constant": 'mode = "safe"\n    match mode:\n        case "unsafe":\n            helpers.ping(request.args["n"])\n        case _:\n            pass',
    "guard that returns": 'name = request.args["n"]\n    if name not in ALLOWED:\n        abort(400)\n    helpers.ping(name)',
    "guard on a path": 'name = request.args["n"]\n    if ".." in name or name.startswith("/"):\n        return "no", 400\n    return open(name).read()',
    "equality with a constant": 'fmt = request.args["f"]\n    if fmt == "csv":\n        helpers.ping(fmt)',
    "int conversion": 'helpers.ping(str(int(request.args["n"])))',
    "shlex.quote": 'helpers.ping(shlex.quote(request.args["n"]))',
    "basename": 'return open(os.path.basename(request.args["n"])).read()',
    "orm filter": 'return User.objects.filter(name=request.args["n"]).first()',
    "ternary on a constant": 'helpers.ping(request.args["n"] if 1 > 2 else "x")',
    "only compared": 'if request.args["n"] == "x":\n        return "ok"',
    "while false": 'while False:\n        helpers.ping(request.args["n"])',
    "checked read, not a variable": 'if "n" in request.args and url_is_safe(request.args.get("n")):\n        helpers.ping(request.args.get("n"))',
    "checked in a conditional expression": 'url = request.args["n"]\n    url = url if url_is_safe(url) else "/"\n    helpers.ping(url)',
    "orm lookup keyed by request data": 'call, created = Call.objects.select_for_update().get_or_create(key=request.headers.get("K"))\n    helpers.ping(call.body)',
    "a search service, not LDAP": 'service = Service()\n    return service.search(1, request.args["q"])',
    "a number in a %d conversion": 'helpers.ping("-c %d %s" % (int_count, "x") if False else "-c %d" % request.args["n"])',
    "check that passed": 'target = request.args["n"]\n    if not helpers.checked(target):\n        target = "/"\n    helpers.ping(target)',
}
REDIRECTS = {
    "own path then the query": ('return redirect("/orders/?" + request.query_string.decode())', False),
    "f-string with a fixed host": ('return redirect(f"https://shop.example.com/{request.args[\'p\']}")', False),
    "the whole target": ('return redirect(request.args["next"])', True),
    "target then a fixed suffix": ('return redirect(request.args["next"] + "/done")', True),
    "checked and redirected": ('target = request.args["next"]\n    if url_is_safe(target):\n        return redirect(target)\n    return redirect("/")', False),
}
FLOWS = {
    "straight": ('helpers.ping(request.args["n"])', 5),
    "f-string": ('helpers.ping(f"-c 3 {request.args[\'n\']}")', 5),
    "format": ('helpers.ping("-c {}".format(request.args["n"]))', 5),
    "slice keeps taint": ('helpers.ping(request.args["n"][:20])', 5),
    "the tainted slot": ('d = {"a": request.args["a"], "b": "ok"}\n    helpers.ping(d["a"])', 5),
    "after a dict store": ('d = {}\n    d["k"] = request.args["a"]\n    helpers.ping(d["k"])', 5),
    "through a loop": ('for part in request.args.getlist("p"):\n        helpers.ping(part)', 5),
    "live branch": ('name = request.args["n"]\n    if 7 * 18 < 200:\n        helpers.ping(name)', 5),
    "guard that does not leave": ('name = request.args["n"]\n    if name not in ALLOWED:\n        log(name)\n    helpers.ping(name)', 5),
    "sanitised for another weakness": ('helpers.ping(html.escape(request.args["n"]))', 5),
    "the string part of a %-format": ('helpers.ping("-n %d %s" % (1, request.args["n"]))', 5),
    "attribute of a self": ('self_ = Box()\n    self_.value = request.args["n"]\n    helpers.ping(self_.value)', 5),
}


def view(body: str, imports: str = "from . import helpers") -> str:
    return (
        "import html\nimport os\nimport shlex\n\nfrom flask import Flask, abort, request\n\n" + imports + "\n\n"
        'app = Flask(__name__)\nALLOWED = {"a", "b"}\n\n\n@app.get("/x")\ndef handler():\n    ' + body + "\n"
    )


@pytest.mark.parametrize("name", sorted(PRECISION))
def test_look_alikes_do_not_fire(tmp_path, name):
    report = lint_project(tmp_path, {"shop/__init__.py": "", "shop/helpers.py": SHOP_HELPERS, "shop/views.py": view(PRECISION[name])})
    assert [(f.path, f.line, f.rule) for f in report.findings] == []


@pytest.mark.parametrize("name", sorted(REDIRECTS))
def test_only_a_target_the_sender_starts_is_an_open_redirect(tmp_path, name):
    body, fires = REDIRECTS[name]
    source = view(body).replace("from flask import Flask, abort, request", "from flask import Flask, abort, redirect, request")
    report = lint_project(tmp_path, {"shop/__init__.py": "", "shop/helpers.py": SHOP_HELPERS, "shop/views.py": source})
    assert [f.rule for f in report.findings] == (["BL414"] if fires else [])


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_flows_are_followed(tmp_path, name):
    body, line = FLOWS[name]
    report = lint_project(tmp_path, {"shop/__init__.py": "", "shop/helpers.py": SHOP_HELPERS, "shop/views.py": view(body)})
    assert [(f.path, f.line, f.rule) for f in report.findings] == [("shop/helpers.py", line, "BL411")]


def test_the_trace_names_the_source_the_calls_and_the_sink(tmp_path):
    report = lint_project(tmp_path, {
        "shop/__init__.py": "from .helpers import ping as safe_ping\n",
        "shop/helpers.py": SHOP_HELPERS,
        "shop/views.py": view('target = request.args["n"]\n    return safe_ping(target)', "from . import safe_ping"),
    })  # fmt: skip
    [finding] = report.findings
    assert [(s.path, s.line, s.text) for s in finding.trace] == [
        ("shop/views.py", 15, 'request.args["n"]'), ("shop/views.py", 15, "target"),
        ("shop/views.py", 16, "safe_ping(target)"), ("shop/helpers.py", 5, "popen()"),
    ]  # fmt: skip
    assert "`request.args[\"n\"]` (shop/views.py:15)" in finding.message
    assert finding.fingerprint and report.code["shop/helpers.py"][5].strip().startswith("return os.popen")


def test_data_returned_by_a_helper_flows_on_from_each_call(tmp_path):
    """A helper that returns request data is a source at each call; one that receives data and
    returns it hands it back to that call only (not to every caller)."""
    report = lint_project(tmp_path, {
        "shop/__init__.py": "",
        "shop/helpers.py": SHOP_HELPERS + "\n\ndef same(value):\n    return value\n",
        "shop/inputs.py": "from flask import request\n\n\ndef wanted_host():\n    return request.args['host']\n",
        "shop/views.py": view("helpers.ping(inputs.wanted_host())\n    helpers.ping(helpers.same('localhost'))\n"
                              "    return helpers.same(request.args['n'])").replace("from . import helpers", "from . import helpers, inputs"),
    })  # fmt: skip
    assert [(f.path, f.line, f.rule, f.trace[0].path) for f in report.findings] == [
        ("shop/helpers.py", 5, "BL411", "shop/inputs.py")
    ]


def test_django_fastapi_aiohttp_and_graphql_sources(tmp_path):
    report = lint_project(tmp_path, {
        "dj/views.py": "import os\n\nfrom django.http import HttpResponse\n\n\ndef view(request, slug):\n    os.system(request.GET['cmd'])\n    os.system(slug)\n",
        "dj/cbv.py": ("import os\nfrom django.views import View\n\n\nclass Run(View):\n    def post(self, request, *args, **kwargs):\n"
                      "        os.system(self.request.POST['c'])\n        os.system(self.kwargs['pk'])\n"),
        "api/main.py": ("import os\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/r')\n"
                        "def run(cmd: str, count: int):\n    os.system(cmd)\n    os.system(str(count))\n"),
        "aio/handlers.py": ("import os\nfrom aiohttp import web\n\n\nasync def handle(request):\n    data = await request.post()\n"
                            "    os.system(data['cmd'])\n    os.system(request.match_info['name'])\n"),
        "gql/schema.py": ("import os\nimport graphene\n\n\nclass Query(graphene.ObjectType):\n    def resolve_run(root, info, cmd):\n"
                          "        return os.popen(cmd).read()\n"),
    })  # fmt: skip
    # Django URL parameters (`slug`, `self.kwargs`) are not sources until the URLconf is read: a
    # function taking `request` first is often a helper, not a view (django.shortcuts.render)
    assert sorted((f.path, f.line) for f in report.findings) == [
        ("aio/handlers.py", 7), ("aio/handlers.py", 8), ("api/main.py", 9), ("dj/cbv.py", 7), ("dj/views.py", 7),
        ("gql/schema.py", 7),
    ]  # fmt: skip


def test_models_are_checked_when_read(tmp_path, monkeypatch):
    write(tmp_path, "bad.toml", "[[sink]]\ncwe = 12345\nlabel = 'x'\nnames = ['f']\n")
    monkeypatch.setattr(spec, "model_dir", lambda: tmp_path)
    spec.load.cache_clear()
    try:
        with pytest.raises(spec.ModelError, match="CWE 12345"):
            spec.load()
        write(tmp_path, "bad.toml", "[[sink]]\ncwe = 89\nlabel = 'x'\nnames = ['f']\nwhere = 'x'\n")
        spec.load.cache_clear()
        with pytest.raises(spec.ModelError, match="unknown field"):
            spec.load()
    finally:
        spec.load.cache_clear()


def test_the_path_in_every_format(tmp_path):
    import json
    from pathlib import Path as P

    import jsonschema

    from backend_lint import run as runner
    from backend_lint.catalog import load_catalog
    from backend_lint.report import RenderOptions, render

    report = lint_project(tmp_path, {
        "shop/__init__.py": "", "shop/helpers.py": SHOP_HELPERS,
        "shop/views.py": view('target = request.args["n"]\n    return helpers.ping(target)'),
    })  # fmt: skip
    options = RenderOptions(version="0", root=str(tmp_path))
    rules, catalog = runner.rule_catalog(), load_catalog()
    text = render("text", report, rules, catalog, options)
    assert 'path: request.args["n"] views.py:15 → target → helpers.ping(target) → popen() helpers.py:5' in text
    data = json.loads(render("json", report, rules, catalog, options))
    assert [step["line"] for step in data["findings"][0]["trace"]] == [15, 15, 16, 5]
    sarif = json.loads(render("sarif", report, rules, catalog, options))
    schema = json.loads((P(__file__).parent / "sarif-schema-2.1.0.json").read_text("utf-8"))
    jsonschema.Draft7Validator(schema).validate(sarif)
    flow = sarif["runs"][0]["results"][0]["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [(x["location"]["physicalLocation"]["artifactLocation"]["uri"], x["location"]["message"]["text"]) for x in flow][-1] == (
        "shop/helpers.py", "popen()")


def test_one_finding_per_sink_with_the_other_sources_counted(tmp_path):
    report = lint_project(tmp_path, {
        "shop/__init__.py": "", "shop/helpers.py": SHOP_HELPERS,
        "shop/views.py": view('helpers.ping(request.args["a"])\n    helpers.ping(request.form["b"])'),
    })  # fmt: skip
    [finding] = report.findings
    assert "(and 1 other source)" in finding.message


def test_functions_data_may_reach_are_summarised_by_the_workers_once_and_cached(tmp_path):
    """The workers summarise the functions that read request data; the helpers that data reaches
    are summarised in a second look at their files only, and that look is cached: a warm run needs
    none, and changing the helper's file looks at it (and only it) again."""
    from backend_lint.config import Config
    from backend_lint.run import runner

    files = {
        "shop/__init__.py": "",
        "shop/helpers.py": SHOP_HELPERS,
        "shop/unrelated.py": "import os\n\n\ndef tidy(path):\n    return os.system(path)\n",
        "shop/jobs.py": "from . import helpers\n\n\ndef nightly():\n    return helpers.ping('localhost')\n",
        "shop/views.py": view('return helpers.ping(request.args["n"])'),
    }
    for path, text in files.items():
        write(tmp_path, path, text)
    config = Config(root=tmp_path, engines=("taint",))

    def lint():
        old = os.getcwd()
        os.chdir(tmp_path)
        try:
            return runner.run_counted(["."], config, runner.RunOptions(jobs=1, cache_dir=str(tmp_path / ".cache")))
        finally:
            os.chdir(old)

    first, cold = lint()
    warm_report, warm = lint()
    write(tmp_path, "shop/helpers.py", SHOP_HELPERS + "\n\ndef spare():\n    return 1\n")
    _, changed = lint()
    found = [(f.path, f.line, f.rule) for f in first.findings]
    assert found == [("shop/helpers.py", 5, "BL411")]
    assert [(f.path, f.line, f.rule) for f in warm_report.findings] == found
    # helpers.py; unrelated.py is never reached, nor jobs.py (it calls the helper, but reads nothing)
    assert (cold.analysed, cold.looked_again) == (5, 1)
    assert (warm.analysed, warm.looked_again) == (0, 0)
    assert (changed.analysed, changed.looked_again) == (1, 1)


DJANGO_VIEWS = '''\
import os

from django.http import FileResponse
from django.views import View


def by_name(request, name):
    return FileResponse(open(os.path.join("/srv/docs", name), "rb"))  # expect: BL413


def by_slug(request, slug):
    return FileResponse(open(os.path.join("/srv/docs", slug), "rb"))


def by_id(request, pk):
    return FileResponse(open(os.path.join("/srv/docs", str(pk)), "rb"))


def by_rest(request, rest):
    return FileResponse(open(os.path.join("/srv/docs", rest), "rb"))  # expect: BL413


def by_number(request, year):
    return FileResponse(open(os.path.join("/srv/reports", year), "rb"))


def in_section(request, section, slug):
    return FileResponse(open(os.path.join("/srv", section, slug), "rb"))  # expect: BL413


def not_routed(request, name):
    return FileResponse(open(os.path.join("/srv/docs", name), "rb"))


class Page(View):
    def get(self, request, title):
        return FileResponse(open(os.path.join("/srv/pages", title), "rb"))  # expect: BL413
'''


def test_the_url_parameters_the_route_table_gives_a_view_are_sources(tmp_path):
    """Django URLconfs (path converters, re_path groups, include prefixes, as_view) and Flask
    converters decide which handler parameters are client text."""
    files = {
        "site/__init__.py": "",
        "site/urls.py": ('from django.urls import include, path\n\nurlpatterns = [\n'
                         '    path("docs/", include("site.docs.urls")),\n'
                         '    path("sections/<str:section>/", include("site.docs.section_urls")),\n]\n'),
        "site/docs/__init__.py": "",
        "site/docs/views.py": DJANGO_VIEWS,
        "site/docs/urls.py": ('from django.urls import path, re_path\n\nfrom . import views\n\nurlpatterns = [\n'
                              '    path("<str:name>/", views.by_name),\n    path("<slug:slug>/", views.by_slug),\n'
                              '    path("<int:pk>/", views.by_id),\n    path("raw/<path:rest>", views.by_rest),\n'
                              r'    re_path(r"^reports/(?P<year>[0-9]{4})/$", views.by_number),' "\n"
                              '    path("pages/<title>/", views.Page.as_view()),\n]\n'),
        "site/docs/section_urls.py": ('from django.urls import path\n\nfrom .views import in_section\n\n'
                                      'urlpatterns = [path("<slug:slug>/", in_section)]\n'),
        "shop/__init__.py": "",
        "shop/app.py": ('import os\n\nfrom flask import Flask, send_file\n\napp = Flask(__name__)\n\n\n'
                        '@app.get("/invoices/<int:number>")\ndef invoice(number):\n'
                        '    return send_file(os.path.join("/srv/invoices", str(number)))\n\n\n'
                        '@app.get("/files/<name>")\ndef download(name):\n'
                        '    return send_file(os.path.join("/srv/files", name))  # expect: BL413\n'),
    }
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)
    [rest] = [f for f in report.findings if f.line == 20 and f.path == "site/docs/views.py"]
    assert (rest.trace[0].path, rest.trace[0].line) == ("site/docs/urls.py", 9)


SESSIONS = '''\
import shutil
import uuid
from pathlib import Path

ROOT = Path("/srv/sessions")


class Sessions:
    @staticmethod
    def validate_key(key):
        """Raises unless the key is a UUID (no path traversal)."""
        try:
            uuid.UUID(key)
        except ValueError as exc:
            raise ValueError("bad key") from exc

    @staticmethod
    def file_of(key):
        """The session's file."""
        Sessions.validate_key(key)
        return ROOT / f"{key}.json"

    @staticmethod
    def expire(key):
        try:
            Sessions.file_of(key)
        except ValueError:
            return None
        shutil.rmtree(ROOT / "homes" / key)

    @staticmethod
    def expire_unchecked(key):
        shutil.rmtree(ROOT / "homes" / key)  # expect: BL413
'''


def test_a_call_of_a_function_that_raises_on_a_bad_argument_checks_it(tmp_path):
    """From mlflow's assistant sessions: `file_of(key)` raises unless the key is a UUID, so the
    directory removed after a call of it is safe; without that call it is not."""
    files = {
        "app/__init__.py": "",
        "app/sessions.py": SESSIONS,
        "app/views.py": view('Sessions.expire(request.args["k"])\n    Sessions.expire_unchecked(request.args["k"])',
                             "from .sessions import Sessions"),
    }
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)


def test_an_instance_carries_its_data_in_its_data_attributes_only(tmp_path):
    """From weblate's settings views: `redirect(form.instance)` after a form bound to request.POST
    redirects to a model object's URL, not to anything the client chose; the form's cleaned data
    is the client's still."""
    files = {
        "site/__init__.py": "",
        "site/forms.py": "from django import forms\n\n\nclass AddCategoryForm(forms.ModelForm):\n    pass\n",
        "site/views.py": (
            "import os\n\nfrom django.shortcuts import redirect\n\nfrom .forms import AddCategoryForm\n\n\n"
            "def add_category(request, obj):\n    form = AddCategoryForm(request, obj, request.POST)\n"
            "    if not form.is_valid():\n        return redirect(\"/\")\n    form.save()\n    return redirect(form.instance)\n\n\n"
            "def add_folder(request):\n    form = AddCategoryForm(request.POST)\n    form.is_valid()\n"
            "    os.makedirs(form.cleaned_data[\"slug\"])  # expect: BL413\n"
        ),
    }
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)


REAL_LOOK_ALIKES = '''\
import requests
from django.http import JsonResponse

from .models import AuditLog, CachedFile, Upload
from .paypal import MerchantRequest, client


def upload(request):
    f = request.FILES["file_upload"]
    Upload.objects.create(uploaded_by=request.user, filepath=f.name, size=f.size)
    return JsonResponse({})


def remove_account(request):
    request.GET = {"email": request.user.email}
    AuditLog.objects.create(request.user, "removal-request", **request.GET)
    return JsonResponse({})


def paypal_return(request):
    merchant = MerchantRequest("partner-id", request.GET.get("merchantIdInPayPal"))
    return JsonResponse(client.execute(merchant))


def oauth_return(request):
    resp = requests.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": request.GET.get("code")}, timeout=5)
    return JsonResponse(resp.json())


def cache_upload(request):
    CachedFile.objects.create(filename=request.POST["filename"])  # expect: BL403
    return JsonResponse({})


def api_upload(request):
    file_obj = request.data["file"]
    content_type = file_obj.content_type.split(";")[0]
    if content_type not in ALLOWED_TYPES:
        raise ValidationError("type")
    if not any(file_obj.name.endswith(ext) for ext in ALLOWED_TYPES[content_type]):
        raise ValidationError("extension")
    CachedFile.objects.create(filename=file_obj.name, type=content_type)
    return JsonResponse({})
'''


def test_real_code_look_alikes_of_unvalidated_input(tmp_path):
    """From wagtail / django-oscar (an uploaded file stored through the ORM), weblate (`request.GET`
    replaced before use), pretix (a request object of the project's given to a client's
    `execute()`: no SQL; an OAuth code posted to the token endpoint: no URL of the client's, and no
    body anyone validates first; an upload whose type and extension were checked before storing
    its name)."""
    files = {
        "site/__init__.py": "",
        "site/views.py": REAL_LOOK_ALIKES,
        "site/models.py": "from django.db import models\n\n\nclass Upload(models.Model):\n    pass\n",
        "site/paypal.py": "class MerchantRequest:\n    def __init__(self, partner, merchant):\n        self.path = f'/v1/{partner}/{merchant}'\n\n\nclient = None\n",
    }
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)


# The cases of the semgrep taint rules the taint engine replaced (path-traversal-from-request,
# BL708; untrusted-deserialisation, BL702): their `# ruleid:` lines are findings here, in handlers.
RETIRED_FLASK = '''\
import base64
import json
import os
import pickle

from flask import Flask, request, send_file, send_from_directory
from werkzeug.utils import secure_filename

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.get("/download")
def download():
    name = request.args["file"]
    return send_file(os.path.join(UPLOADS, name))  # expect: BL413


@app.post("/delete")
def delete():
    os.remove(UPLOADS + "/" + request.form["file"])  # expect: BL413


@app.get("/safe")
def safe_download():
    return send_from_directory(UPLOADS, request.args["file"])


@app.post("/upload")
def safe_upload():
    upload = request.files["file"]
    with open(os.path.join(UPLOADS, secure_filename(upload.filename)), "wb") as fh:
        fh.write(upload.read())


@app.get("/report/<int:report_id>")
def report(report_id):
    with open(os.path.join("/srv/reports", "latest.csv")) as fh:
        return fh.read()


@app.post("/cart")
def restore_cart():
    blob = base64.b64decode(request.cookies["cart"])
    return pickle.loads(blob)  # expect: BL417


@app.post("/state")
def upload_state():
    return pickle.loads(request.get_data())  # expect: BL417


def from_cache(cache, key):
    return pickle.loads(cache.get(key))


@app.post("/json")
def json_upload():
    return json.loads(request.get_data())


@app.post("/save")
def save():
    return pickle.dumps(request.form.to_dict())
'''
RETIRED_DJANGO = '''\
import pickle

from django.http import HttpResponse


def report(request):
    with open(f"/srv/reports/{request.GET['name']}") as fh:  # expect: BL413
        return HttpResponse(fh.read())


def state(request):
    return HttpResponse(pickle.loads(request.body))  # expect: BL417
'''


def test_the_cases_of_the_retired_semgrep_taint_rules(tmp_path):
    files = {"app/__init__.py": "", "app/flask_views.py": RETIRED_FLASK, "app/django_views.py": RETIRED_DJANGO}
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)


def test_a_parameterised_write_stores_unvalidated_input_and_a_lookup_does_not(tmp_path):
    files = {"shop/__init__.py": "", "shop/app.py": view(
        'db = get_db()\n    db.execute("SELECT * FROM orders WHERE id = ?", (request.args["id"],))\n'
        '    db.execute("INSERT INTO notes (body) VALUES (?)", (request.args["note"],))  # expect: BL401\n'
        '    db.execute("update notes set body = ? where id = 1", [request.args["n"][:100]])  # expect: BL401\n'
        '    db.execute("INSERT INTO notes (body) VALUES (?)", (int(request.args["n"]),))', "")}
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)


def test_tests_are_not_followed(tmp_path):
    """A test sends the requests it reads, and no module of the application imports it: a test
    file gets no facts (it is not summarised, linked or looked at again), and what would be a
    flow there is not reported."""
    files = {
        "app/__init__.py": "",
        "app/helpers.py": "import os\n\n\ndef run(command):\n    os.system(command)  # expect: BL411\n",
        "app/views.py": "from flask import Flask, request\n\nfrom .helpers import run\n\nweb = Flask(__name__)\n\n\n"
                        "@web.route('/run')\ndef handler():\n    run(request.args['c'])\n    return 'ok'\n",  # fmt: skip
        "tests/test_views.py": "import os\n\nfrom flask import request\n\n\ndef test_run():\n    os.system(request.args['c'])\n",
    }
    report = lint_project(tmp_path, files)
    assert sorted((f.path, f.line, f.rule) for f in report.findings) == expected(files)  # not tests/test_views.py:7
