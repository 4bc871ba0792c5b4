import yaml
from yaml import SafeLoader


def read(stream):
    # ruleid: unsafe-yaml-load
    a = yaml.load(stream)
    # ruleid: unsafe-yaml-load
    b = yaml.load(stream, Loader=yaml.Loader)
    # ruleid: unsafe-yaml-load
    c = yaml.unsafe_load(stream)
    # ruleid: unsafe-yaml-load
    d = list(yaml.load_all(stream, Loader=yaml.FullLoader))
    # ok: unsafe-yaml-load
    e = yaml.safe_load(stream)
    # ok: unsafe-yaml-load
    f = yaml.load(stream, Loader=SafeLoader)
    # ok: unsafe-yaml-load
    g = yaml.load(stream, yaml.CSafeLoader)
    # ok: unsafe-yaml-load
    h = config.load(stream)
    return a, b, c, d, e, f, g, h
