"""Field types of forms, serializers and schemas (`project.fields`, the `fields` flow model): which
validated values still hold client text, so that the taint engine lets only those through."""

from __future__ import annotations

import ast
import inspect

import pytest

from backend_lint.flow import models
from backend_lint.project import ProjectIndex
from backend_lint.project.facts import ModuleHead, module_facts
from backend_lint.project.fields import restrictive


@pytest.mark.parametrize(
    "pattern",
    [r"^[a-z0-9_-]{1,64}$", r"^\d+$", r"\A[A-Z]{2}\d{4}\Z", r"^(?:draft|live)$", r"^[\w-]+$", r"^(eu|us)-\d$"],
)
def test_restrictive_patterns(pattern):
    assert restrictive(pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[\w./-]+$",  # dots and slashes: `../`
        r"[a-z]+",  # not anchored: pydantic and re.search look anywhere in the text
        r"^[a-z]+",  # anchored at the start only
        r"^.+$",  # any character
        r"^[^']+$",  # a negated class admits spaces, quotes, `;`
        r"^[a-z ]+$",  # a space splits a shell word
        r"^\S+$",  # quotes and `;` are not spaces
        "",
        None,
    ],
)
def test_patterns_that_restrict_nothing_that_matters(pattern):
    assert not restrictive(pattern)


def _index(*sources: tuple[str, str]) -> ProjectIndex:
    heads = []
    for module, source in sources:
        package = "." not in module  # `app` is the package `app/__init__.py`
        heads.append(ModuleHead.of(module_facts(ast.parse(source), f"{module}.py", module, package)))
    return ProjectIndex(heads)


FORMS = """
from django import forms
from django.forms import fields as form_fields
from rest_framework import serializers
from marshmallow import Schema, fields, validate

class Filter(forms.Form):
    year = forms.IntegerField(min_value=2000)
    team = forms.ChoiceField(choices=[("a", "A")])
    owner = forms.ModelChoiceField(queryset=None)
    when = form_fields.DateField()
    code = forms.RegexField(r"^[A-Z]{3}$")
    name = forms.CharField(max_length=40)
    email = forms.EmailField()
    path = forms.RegexField(r"^[\\w/.]+$")

class Narrower(Filter):
    label = forms.SlugField()
    team = forms.CharField()  # redeclared: text again

class Badge(serializers.Serializer):
    badge = serializers.IntegerField()
    city = serializers.CharField()
    manager = serializers.PrimaryKeyRelatedField(queryset=None)

class Export(Schema):
    format = fields.String(validate=validate.OneOf(["csv", "xlsx"]))
    level = fields.Str(validate=[validate.Length(max=9), validate.OneOf(["a", "b"])])
    note = fields.String(validate=validate.Length(max=9))
    year = fields.Integer()
"""

MODELS = """
from typing import Annotated, Literal, Optional
from uuid import UUID
from pydantic import BaseModel, Field, StringConstraints, conint

class Report(BaseModel):
    kind: Literal["sales", "stock"]
    year: int = Field(ge=2000)
    pages: Optional[int] = None
    ids: list[UUID] = []
    size: conint(gt=0)
    name: str = Field(pattern=r"^[a-z0-9_-]{1,64}$")
    slug: Annotated[str, StringConstraints(pattern=r"^[a-z-]+$")]
    title: str = Field(max_length=120)
    loose: str = Field(pattern=r"^.*$")
    either: int | str

class Extended(Report):
    extra: str

class Plain:  # annotations of a plain class are not checked by anyone
    year: int

class Record(SomeBase):  # a base outside the project that is no typed schema
    year: int
"""


@pytest.mark.parametrize(
    "cls,field",
    [("app.forms.Filter", f) for f in ("year", "team", "owner", "when", "code")]
    + [("app.forms.Narrower", "label"), ("app.forms.Narrower", "year")]  # inherited
    + [("app.forms.Badge", "badge"), ("app.forms.Badge", "manager"), ("app.forms.Export", "format"),
       ("app.forms.Export", "level"), ("app.forms.Export", "year")]
    + [("app.models.Report", f) for f in ("kind", "year", "pages", "ids", "size", "name", "slug")]
    + [("app.models.Extended", "year")],
)  # fmt: skip
def test_harmless_fields(cls, field):
    index = _index(("app.forms", FORMS), ("app.models", MODELS))
    assert index.harmless_field(cls, field)


@pytest.mark.parametrize(
    "cls,field",
    [("app.forms.Filter", f) for f in ("name", "email", "path", "missing")]
    + [("app.forms.Narrower", "team"), ("app.forms.Badge", "city"), ("app.forms.Export", "note")]
    + [("app.models.Report", f) for f in ("title", "loose", "either")]
    + [("app.models.Extended", "extra"), ("app.models.Plain", "year"), ("app.models.Record", "year"),
       ("app.models.Nowhere", "year")],
)  # fmt: skip
def test_fields_that_hold_text(cls, field):
    index = _index(("app.forms", FORMS), ("app.models", MODELS))
    assert not index.harmless_field(cls, field)


def test_a_class_reexported_by_a_package_is_found():
    index = _index(("app.forms", FORMS), ("app", "from .forms import Filter\n"))
    assert index.harmless_field("app.Filter", "year") and not index.harmless_field("app.Filter", "name")


def test_heads_keep_the_fields_through_their_records():
    head = ModuleHead.of(module_facts(ast.parse(FORMS), "app/forms.py", "app.forms", False))
    again = ModuleHead.from_record(head.to_record())
    assert again == head and dict(again.fields["app.forms.Filter"])["year"] == "field"


# -- the model is complete: every field class of the installed libraries is classified -----------


def _field_classes(module, base) -> set[str]:
    return {name for name, value in vars(module).items()
            if inspect.isclass(value) and issubclass(value, base) and not name.startswith("_")}  # fmt: skip


def _classified(prefix: str) -> set[str]:
    known = models.qualified("harmless-field") | models.qualified("text-field")
    return {name[len(prefix) :] for name in known if name.startswith(prefix) and "." not in name[len(prefix) :]}


def test_every_django_form_field_is_classified():
    forms = pytest.importorskip("django.forms")
    found = _field_classes(forms, forms.Field)
    assert found and found <= _classified("django.forms."), sorted(found - _classified("django.forms."))


def test_every_drf_field_is_classified():
    pytest.importorskip("django")
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    serializers = pytest.importorskip("rest_framework.serializers")
    from rest_framework.fields import Field

    found = _field_classes(serializers, Field) - _field_classes(serializers, serializers.BaseSerializer)
    assert found and found <= _classified("rest_framework.serializers."), sorted(found - _classified("rest_framework.serializers."))


def test_every_marshmallow_field_is_classified():
    fields = pytest.importorskip("marshmallow.fields")
    found = _field_classes(fields, fields.Field)
    assert found and found <= _classified("marshmallow.fields."), sorted(found - _classified("marshmallow.fields."))


def test_no_field_is_both_harmless_and_text():
    assert not models.qualified("harmless-field") & models.qualified("text-field")
