import aiohttp_jinja2
import jinja2
from aiohttp import web
from flask import Flask

app = web.Application()
# ruleid: template-autoescape-disabled
aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader("templates"), autoescape=False)
# ok: template-autoescape-disabled
aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader("templates"))
# ruleid: template-autoescape-disabled
env = jinja2.Environment(loader=jinja2.PackageLoader("shop"), autoescape=False)
# ok: template-autoescape-disabled
safe = jinja2.Environment(loader=jinja2.PackageLoader("shop"), autoescape=jinja2.select_autoescape())
flask_app = Flask(__name__)
# ruleid: template-autoescape-disabled
flask_app.jinja_env.autoescape = False
# ok: template-autoescape-disabled
flask_app.jinja_env.autoescape = True
