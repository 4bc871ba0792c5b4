"""Rules of the `input-validation` category: request data used without a schema, one rule per
framework (FastAPI's is in `input_fastapi`). Each reports at the line where the request data is read."""

from __future__ import annotations

import ast
from functools import lru_cache

from ..flow import models
from ._request_flow import RequestReadRule


@lru_cache(maxsize=1)
def _flask_reads() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Flask's request sources: their qualified names, their attributes, those read by a call."""
    sources = models.entries("request-source", "flask")
    return (models.qualified("request-source", "flask"), frozenset(e.last for e in sources),
            frozenset(e.last for e in sources if e.call))  # fmt: skip


class UnvalidatedFlaskInput(RequestReadRule):
    """Flask request data (`get_json()`, `form`, `args`, `values`, `data`) used without a schema.

    ## What it does
    In a Flask route or `MethodView`, flags a read of `request.get_json()`, `request.json`,
    `request.form[...]` / `.get(...)`, `request.args[...]` / `.get(...)` without `type=`,
    `request.values` or `request.data` whose value reaches a call, a return or a store without
    first passing through a schema: a pydantic model (`Model(...)`, `model_validate`), a
    marshmallow `load`/`validate`, a WTForms form, `int(...)`, or a `validate_*` helper. Follows the
    value through local variables (`data = request.get_json(); ItemSchema().load(data)` is
    validated). Values only compared or tested (`if request.args.get("format") == "csv"`) are not
    flagged; `request.headers`, `request.method` and `request.files` are out of scope.

    ## Why is this bad?
    Unchecked payloads carry wrong types, missing fields, oversized values and injection strings
    straight into the database and business logic. The standard asks to validate every input with a
    schema at the boundary (CWE-20).
    """

    code = "BL401"
    name = "unvalidated-flask-input"
    references = ("https://flask.palletsprojects.com/en/latest/api/#flask.Request",)
    NODES = (ast.Attribute,)
    ADVICE = "pass it through a schema (pydantic, marshmallow, WTForms) or `type=`"
    INVALID = (
        """
        from flask import Flask, request
        app = Flask(__name__)
        @app.post("/items")
        def create_item():
            data = request.get_json()  # expect: BL401
            db.save(data["name"])
            return {"ok": True}, 201
        """,
        """
        from flask import Blueprint, request, redirect
        from .models import User
        bp = Blueprint("users", __name__)
        @bp.route("/users", methods=["POST"])
        def register():
            user = User(email=request.form["email"])  # expect: BL401
            db.session.add(user)
            return redirect(request.values.get("next", "/"))  # expect: BL401
        """,
        """
        from flask import Flask, request, jsonify
        app = Flask(__name__)
        @app.get("/search")
        def search():
            q = request.args.get("q", "")  # expect: BL401
            page = request.args.get("page")  # expect: BL401
            rows = Item.query.filter(Item.name.ilike(f"%{q}%")).paginate(page=page)
            return jsonify(request.json)  # expect: BL401
        """,
        """
        import json
        from flask import request
        from flask.views import MethodView
        class ItemAPI(MethodView):
            def post(self):
                payload = json.loads(request.data)  # expect: BL401
                for entry in payload["items"]:
                    repo.add(entry)
        """,
    )
    VALID = (
        """
        from flask import Flask, request
        from marshmallow import Schema, fields
        app = Flask(__name__)
        class ItemSchema(Schema):
            name = fields.Str(required=True)
        @app.post("/items")
        def create_item():
            data = request.get_json()
            item = ItemSchema().load(data)
            db.save(item["name"])
            return {"ok": True}, 201
        """,
        """
        from flask import Flask, request
        from pydantic import BaseModel
        app = Flask(__name__)
        class SearchParams(BaseModel):
            q: str = ""
        @app.get("/search")
        def search():
            page = request.args.get("page", 1, type=int)
            limit = int(request.args.get("limit", "20"))
            params = SearchParams(q=request.args.get("q"))
            if request.args.get("format") == "csv":
                return export(params, page, limit)
            return find(params, page, limit)
        """,
        """
        from flask import Flask, request, abort
        from .schemas import OrderIn, order_schema
        app = Flask(__name__)
        @app.post("/orders")
        def create_order():
            order = OrderIn.model_validate(request.get_json())
            payload = request.get_json(silent=True) or {}
            errors = order_schema.validate(payload)
            if errors:
                abort(400)
            return save(order, payload)
        """,
        """
        from flask import Flask, request, render_template
        from .forms import LoginForm
        app = Flask(__name__)
        @app.route("/login", methods=["GET", "POST"])
        def login():
            form = LoginForm(request.form)
            if request.method == "POST" and form.validate():
                return sign_in(form.data, request.headers.get("X-Request-Id"))
            return render_template("login.html", form=form)
        """,
    )

    def begin(self, ctx) -> None:
        self._sources, self._attributes, self._called = _flask_reads()

    def visit(self, node: ast.Attribute, ctx) -> None:
        if node.attr not in self._attributes or f"{ctx.model.qualname(node.value)}.{node.attr}" not in self._sources:
            return
        if ctx.function_role().framework != "flask":
            return
        read: ast.AST = node
        if node.attr in self._called:
            parent = ctx.parent()
            if not (isinstance(parent, ast.Call) and parent.func is node):
                return
            read = parent
        self.check_read(ctx, read, node)


class UnvalidatedDjangoInput(RequestReadRule):
    """Django / DRF request data (`POST`, `GET`, `body`, `data`) used without a Form or Serializer.

    ## What it does
    In a Django view (function view, class-based view, DRF `APIView` / `ViewSet` / `@api_view`),
    flags `request.POST[...]`, `request.GET.get(...)`, `json.loads(request.body)`,
    `request.data.get(...)` and `request.query_params` (also through `self.request`) whose value is
    used without passing through a Form (`Form(request.POST)` then `is_valid()` / `cleaned_data`),
    a Serializer (`Serializer(data=request.data)`, `is_valid(raise_exception=True)`), a pydantic
    model or a converter (`int(...)`, `paginator.get_page(...)`). Values only compared or tested are
    not flagged.

    ## Why is this bad?
    `QueryDict` values are unchecked strings from the client; used directly they put wrong types,
    missing fields and hostile values into queries and models. Forms and serializers are Django's
    validation boundary (CWE-20).
    """

    code = "BL403"
    name = "unvalidated-django-input"
    references = ("https://docs.djangoproject.com/en/stable/topics/forms/",
                  "https://www.django-rest-framework.org/api-guide/serializers/#validation")  # fmt: skip
    NODES = (ast.Attribute,)
    ADVICE = "validate it with a Form (is_valid/cleaned_data) or a DRF Serializer"
    INVALID = (
        """
        from django.shortcuts import render
        from .models import Item
        def search(request):
            q = request.GET.get("q", "")  # expect: BL403
            return render(request, "items.html", {"items": Item.objects.filter(name__icontains=q)})
        """,
        """
        import json
        from django.http import JsonResponse
        from .models import Order, User
        def create_order(request):
            data = json.loads(request.body)  # expect: BL403
            order = Order.objects.create(**data)
            User.objects.filter(pk=order.user_id).update(email=request.POST["email"])  # expect: BL403
            return JsonResponse({"id": order.id})
        """,
        """
        from rest_framework.decorators import api_view
        from rest_framework.response import Response
        from rest_framework import viewsets
        @api_view(["POST"])
        def create_item(request):
            item = Item.objects.create(name=request.data.get("name"))  # expect: BL403
            return Response({"id": item.id})
        class ItemViewSet(viewsets.ModelViewSet):
            def get_queryset(self):
                owner = self.request.query_params.get("owner")  # expect: BL403
                return Item.objects.filter(owner__username=owner)
        """,
        """
        import subprocess
        from django.http import HttpResponse
        def ping(request):
            out = subprocess.check_output(["ping", "-c1", request.GET["host"]])  # expect: BL403
            return HttpResponse(out)
        """,
    )
    VALID = (
        """
        from django.core.paginator import Paginator
        from django.shortcuts import render, redirect
        from .forms import ContactForm
        def contact(request):
            form = ContactForm(request.POST or None)
            if request.method == "POST" and form.is_valid():
                send(form.cleaned_data)
                return redirect("thanks")
            page = Paginator(Message.objects.all(), 20).get_page(request.GET.get("page"))
            preview = "preview" in request.GET
            return render(request, "contact.html", {"form": form, "page": page, "preview": preview})
        """,
        """
        from rest_framework import generics, viewsets
        from rest_framework.response import Response
        from rest_framework.views import APIView
        from .serializers import ItemSerializer
        class ItemList(APIView):
            def post(self, request):
                serializer = ItemSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                serializer.save(owner=request.user)
                return Response(serializer.data, status=201)
        class ItemViewSet(viewsets.ModelViewSet):
            def create(self, request, *args, **kwargs):
                serializer = self.get_serializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                return Response(serializer.data)
            def get_queryset(self):
                year = int(self.request.query_params.get("year", "2024"))
                return Item.objects.filter(year=year)
        """,
        # what Django's own views do: an allow-list check, a form held in an attribute, writing back
        """
        from django.http import HttpResponseRedirect
        from django.utils.http import url_has_allowed_host_and_scheme
        from django.views.generic.edit import FormView
        def set_language(request):
            next_url = request.POST.get("next", request.GET.get("next"))
            if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                next_url = "/"
            return HttpResponseRedirect(next_url)
        class PasswordView(FormView):
            def post(self, request, user):
                form = self.change_password_form(user, request.POST)
                request.POST = request.POST.copy()
                request.POST["_continue"] = 1
                return self.render(form)
            def get_form_kwargs(self):
                return {"data": self.request.POST, "files": self.request.FILES}
        """,
    )

    def begin(self, ctx) -> None:
        self._attributes = models.names("request-source", "django")

    def visit(self, node: ast.Attribute, ctx) -> None:
        if node.attr not in self._attributes or ctx.function_role().framework != "django":
            return
        owner = node.value
        is_request = (isinstance(owner, ast.Name) and owner.id == "request") or (
            isinstance(owner, ast.Attribute) and owner.attr == "request"
            and isinstance(owner.value, ast.Name) and owner.value.id == "self"
        )  # fmt: skip
        if is_request and isinstance(node.ctx, ast.Load):
            self.check_read(ctx, node, node)
