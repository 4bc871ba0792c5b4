import xml.sax
from xml.sax.handler import feature_external_ges

from lxml import etree


def parse_upload(data, handler):
    # ruleid: xml-external-entities
    parser = etree.XMLParser(resolve_entities=True)
    # ruleid: xml-external-entities
    remote = etree.XMLParser(load_dtd=True, no_network=False)
    # ok: xml-external-entities
    safe = etree.XMLParser(resolve_entities=False, no_network=True)
    # ok: xml-external-entities
    tree = etree.fromstring(data, parser=safe)
    sax = xml.sax.make_parser()
    # ruleid: xml-external-entities
    sax.setFeature(feature_external_ges, True)
    # ok: xml-external-entities
    sax.setFeature(feature_external_ges, False)
    return parser, remote, tree
