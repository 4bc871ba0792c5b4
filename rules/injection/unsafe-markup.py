from html import escape as html_escape

from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from markupsafe import Markup


def badge(user):
    # ruleid: unsafe-markup
    a = mark_safe(f"<b>{user.name}</b>")
    # ruleid: unsafe-markup
    b = Markup("<i>" + user.bio + "</i>")
    # ok: unsafe-markup
    c = mark_safe("<br>")
    # ok: unsafe-markup
    d = format_html("<b>{}</b>", user.name)
    # ok: unsafe-markup
    e = Markup("<b>{}</b>").format(user.name)
    # ok: unsafe-markup
    f = mark_safe(escape(user.name))
    return a, b, c, d, e, f


def label_of(page):
    # ok: unsafe-markup
    return mark_safe(f"<em>{conditional_escape(page.title)} ({page.language})</em>")


def option_attrs(namespaces, value):
    # ok: unsafe-markup
    return mark_safe(' data-namespace="%s"' % html_escape(namespaces[value]))


def rows_of(items):
    # ok: unsafe-markup
    return mark_safe("".join(format_html("<li>{}</li>", item.name) for item in items))


def paragraphs(text):
    text = escape(text)
    # ok: unsafe-markup
    return mark_safe(text.replace("\n", "<br>"))


def paragraphs_unescaped(text, other):
    clean = escape(other)
    # ruleid: unsafe-markup
    return mark_safe(text.replace("\n", "<br>"))


def render_widget(renderer, template_name, context):
    # ok: unsafe-markup
    return mark_safe(renderer.render(template_name, context))


_js_escapes = {ord("<"): "\\u003C"}


def escapejs_like(value):
    # ok: unsafe-markup
    return mark_safe(str(value).translate(_js_escapes))


def link_of(table):
    # the real shape (superset): escaped parts built into a string, then marked safe
    name = escape(table.name)
    url = escape(table.explore_url)
    anchor = f'<a target="_blank" href="{url}">{name}</a>'
    # ok: unsafe-markup
    return Markup(anchor)


def check_url(path, conflict_url):
    # the real shape (django CMS): the message is escaped, then raised as safe text
    message = "Page %(page)s has the same url '%(url)s'."
    message = message % {"page": conflict_url, "url": escape(path)}
    # ok: unsafe-markup
    raise ValueError(mark_safe(message))


from django.utils.translation import gettext_lazy as _
from wtforms.widgets import html_params


def column_title():
    # ok: unsafe-markup
    return mark_safe(_("Number of <b>child</b> categories"))


def input_widget(field, **kwargs):
    # the real shape (flask-admin): wtforms' html_params escapes every attribute value
    # ok: unsafe-markup
    return Markup(f"<input {html_params(name=field.name, **kwargs)}>")
