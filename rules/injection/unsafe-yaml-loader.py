import yaml
from yaml import SafeLoader


def read(stream):
    # ruleid: unsafe-yaml-loader
    a = yaml.load(stream)
    # ruleid: unsafe-yaml-loader
    b = yaml.load(stream, Loader=yaml.Loader)
    # ruleid: unsafe-yaml-loader
    c = yaml.unsafe_load(stream)
    # ruleid: unsafe-yaml-loader
    d = list(yaml.load_all(stream, Loader=yaml.FullLoader))
    # ok: unsafe-yaml-loader
    e = yaml.safe_load(stream)
    # ok: unsafe-yaml-loader
    f = yaml.load(stream, Loader=SafeLoader)
    # ok: unsafe-yaml-loader
    g = yaml.load(stream, yaml.CSafeLoader)
    # ok: unsafe-yaml-loader
    h = config.load(stream)
    return a, b, c, d, e, f, g, h
