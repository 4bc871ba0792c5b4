import os

# ruleid: debug-setting-enabled
DEBUG = True

# ok: debug-setting-enabled
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"

# ok: debug-setting-enabled
TEMPLATE_DEBUG = True

if os.environ.get("CI"):
    # ok: debug-setting-enabled
    DEBUG = True


class DevelopmentConfig:
    # ok: debug-setting-enabled
    DEBUG = True


def configure(settings):
    # ok: debug-setting-enabled
    DEBUG = True
    return DEBUG
