import jinja2
from flask import render_template, render_template_string, request

PAGE = "<p>Hello {{ name }}</p>"


def hello():
    name = request.args.get("name", "")
    # ruleid: template-injection
    bad = render_template_string(f"<p>Hello {name}</p>")
    # ruleid: template-injection
    tpl = jinja2.Template("<p>" + name + "</p>")
    env = jinja2.Environment(autoescape=True)
    # ruleid: template-injection
    more = env.from_string(request.form["template"])
    # ok: template-injection
    good = render_template_string("<p>Hello {{ name }}</p>", name=name)
    # ok: template-injection
    also_good = render_template_string(PAGE, name=name)
    # ok: template-injection
    page = render_template("hello.html", name=name)
    # ok: template-injection
    fixed = env.from_string("<p>{{ name }}</p>")
    return bad, tpl, more, good, also_good, page, fixed
