from django.utils.html import escape, format_html
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
