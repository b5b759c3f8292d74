#!/usr/bin/env python3
"""run_open311_test.py: integration test of Open311 GeoReport v2 on `hotline serve`.

Usage: /usr/bin/python3 run_open311_test.py PATH/TO/hotline

Builds the demo store with `hotline demo` in a temporary directory, makes
API keys with `hotline apikey`, starts `hotline serve` on 127.0.0.1 and
drives every Open311 endpoint in both formats: discovery, services, service
definitions, POST requests, GET requests (filters, paging, extensions), GET
one request, tokens and servicerequestupdates. Every XML answer must be
well-formed (`xmllint --noout`), declare UTF-8 and hold the same values as
the JSON answer; every JSON answer must validate against the schemas in
tests/http/open311/. Every error case must give the specification's status
and errors list (400, 403, 404; 405 and 429 beside them), and hostile input
(bad encodings, NUL, invalid UTF-8, a description over 4000 characters,
repeated and unknown parameters, SQL metacharacters, unknown attributes)
must leave the store unchanged. Rate limits answer 429 with Retry-After; a
revoked key is refused. The end-to-end case: a request posted through
Open311 is dispatched, signed, completed and surveyed through /api/v1 by
the demo's dispatcher, unit handler and surveyor, then read back through
Open311 as closed, its status_notes the unit's reply, its notes (extensions)
the dispatch, completion and survey. Administrators manage keys over
/api/v1/apikeys. Only orders whose citizen consented to publication are
published (a post consents by the API's terms; an order registered through
/api/v1, whatever its channel, only when publish_consent is true: issue 11,
finding 4); of them, calls only when open311.publish is "all"; never with
names, phones or emails. `hotline verify` must pass
afterwards. Prints "N passed, M failed"; exits 1 on any failure.
"""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta, timezone

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from http_support import HOST, check, free_port, results, run_cli, use_demo_store  # noqa: E402

BASE = "/open311/v2"
DEMO_PASSWORD = "hotline-demo"
STARTUP_SECONDS = 20
SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "open311")
schemas = {}
# The keys made at start: "main" (a high rate: most reads and writes),
# "low" (2 POSTs a minute), "read" (1, so 10 reads a minute), "revoked".
keys = {}
# The server's zone (hotline's default, +08:00): dates alone are its days.
ZONE = timezone(timedelta(hours=8))


def request(port, method, path, body=None, headers=None):
    """Returns (status, headers with lower-case names, body bytes)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def get(port, path, key="main", headers=None):
    """GET under /open311/v2 with a key's Bearer header (key None: anonymous)."""
    headers = dict(headers or {})
    if key is not None:
        headers.update(bearer(keys[key]))
    return request(port, "GET", BASE + path, headers=headers)


def form_body(pairs):
    return urllib.parse.urlencode(pairs).encode()


def post(port, path, pairs=None, raw=None, content_type="application/x-www-form-urlencoded", headers=None):
    headers = dict(headers or {})
    if content_type is not None:
        headers["Content-Type"] = content_type
    body = raw if raw is not None else form_body(pairs or [])
    return request(port, "POST", BASE + path, body=body, headers=headers)


def load_schemas():
    for name in os.listdir(SCHEMA_DIR):
        if name.endswith(".schema.json"):
            with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as handle:
                schema = json.load(handle)
            jsonschema.Draft202012Validator.check_schema(schema)
            schemas[name[:-len(".schema.json")]] = schema


def check_json(name, headers, body, schema):
    """Checks the content type, parses and validates; returns the document or None."""
    check(f"{name}: JSON content type", headers.get("content-type") == "application/json; charset=utf-8",
          headers.get("content-type"))
    try:
        document = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as failure:
        check(f"{name}: JSON parses", False, f"{failure}: {body[:200]!r}")
        return None
    try:
        jsonschema.validate(document, schemas[schema], cls=jsonschema.Draft202012Validator)
        check(f"{name}: valid against {schema}.schema.json", True)
    except jsonschema.ValidationError as failure:
        check(f"{name}: valid against {schema}.schema.json", False, f"{failure.message} at {list(failure.path)}")
    return document


def check_xml(name, headers, body):
    """xmllint --noout, the UTF-8 declaration, the content type; returns the root or None."""
    check(f"{name}: XML content type", headers.get("content-type") == "text/xml; charset=utf-8",
          headers.get("content-type"))
    check(f"{name}: XML declaration names UTF-8",
          body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), repr(body[:60]))
    lint = subprocess.run(["xmllint", "--noout", "-"], input=body, capture_output=True, timeout=30)
    check(f"{name}: xmllint --noout", lint.returncode == 0, lint.stderr.decode(errors="replace")[:300])
    try:
        return ElementTree.fromstring(body)
    except ElementTree.ParseError as failure:
        check(f"{name}: XML parses", False, str(failure))
        return None


def check_error(name, status, headers, body, expected_status, xml=False):
    check(f"{name}: status {expected_status}", status == expected_status, f"got {status}: {body[:300]!r}")
    if xml:
        root = check_xml(name, headers, body)
        if root is not None:
            codes = [error.findtext("code") for error in root.findall("error")]
            check(f"{name}: <errors><error><code>{expected_status}",
                  root.tag == "errors" and codes == [str(expected_status)]
                  and all(error.findtext("description") for error in root.findall("error")),
                  body[:300].decode(errors="replace"))
        return
    document = check_json(name, headers, body, "errors")
    if document is not None:
        check(f"{name}: errors list with code {expected_status}",
              [error["code"] for error in document] == [expected_status], repr(document))


def xml_value(element):
    """An element's value as JSON gives it: empty element None, else text."""
    return element.text if element.text is not None else None


def compare_request(name, json_request, xml_request):
    """The same request in both formats: every field equal (numbers as text in XML)."""
    for key, value in json_request.items():
        if key in ("notes", "attributes"):
            continue
        element = xml_request.find(key)
        if not check(f"{name}: XML has <{key}>", element is not None):
            continue
        if value is None:
            check(f"{name}: <{key}/> empty like JSON null", element.text is None and len(element) == 0,
                  repr(element.text))
        elif isinstance(value, float):
            check(f"{name}: <{key}> = {value}", abs(float(element.text) - value) < 1e-9, repr(element.text))
        else:
            check(f"{name}: <{key}> = JSON", xml_value(element) == value, f"{element.text!r} != {value!r}")


def wait_for_health(port, process):
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            status, _, _ = request(port, "GET", "/healthz")
            if status == 200:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def order_total(port):
    """Every order in the store, from /metrics."""
    status, _, body = request(port, "GET", "/metrics")
    return sum(int(count) for count in re.findall(r'^hotline_orders\{state="[a-z_]+"\} (\d+)$', body.decode(), re.M))


def login_token(port, username):
    status, _, body = request(port, "POST", "/api/v1/login",
                              body=json.dumps({"username": username, "password": DEMO_PASSWORD}).encode(),
                              headers={"Content-Type": "application/json"})
    check(f"login {username}", status == 200, f"{status} {body[:200]!r}")
    return json.loads(body)["token"] if status == 200 else ""


def act(port, token, number, action, fields, version):
    return request(port, "POST", f"/api/v1/orders/{number}/actions/{action}", body=json.dumps(fields).encode(),
                   headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                            "If-Match": f'"{version}"'})


# A good request for the demo's city (市容环境): it asks KIND (required).
def city_request(description="东风路与长风街口垃圾堆放三天无人清理", **extra):
    pairs = [("service_code", "city"), ("description", description), ("lat", "37.8123"), ("long", "112.5456"),
             ("address_string", "小店区长风街 18 号"), ("attribute[KIND]", "garbage"),
             ("first_name", "三"), ("last_name", "张"), ("phone", "13912345678"), ("email", "zhang@example.org"),
             ("device_id", "ios-test"), ("media_url", "https://example.org/photo.jpg")]
    pairs += list(extra.items())
    return pairs


# ---------------------------------------------------------------------------

def test_discovery(port):
    status, headers, body = get(port, "/discovery.json", key=None)
    check("discovery.json 200", status == 200, f"{status} {body[:200]!r}")
    document = check_json("discovery.json", headers, body, "discovery")
    if document:
        check("discovery: the endpoint's URL", document["endpoints"][0]["url"] == f"http://{HOST}:{port}/open311/v2/",
              document["endpoints"][0]["url"])
        check("discovery: both formats", document["endpoints"][0]["formats"] == ["text/xml", "application/json"])
    status, headers, body = get(port, "/discovery.xml", key=None)
    check("discovery.xml 200", status == 200, str(status))
    root = check_xml("discovery.xml", headers, body)
    if root is not None and document:
        check("discovery.xml: same contact", root.tag == "discovery" and root.findtext("contact") == document["contact"])
        formats = [element.text for element in root.findall("endpoints/endpoint/formats/format")]
        check("discovery.xml: formats", formats == ["text/xml", "application/json"], repr(formats))


def test_services(port):
    status, headers, body = get(port, "/services.json", key=None)
    check("services.json 200", status == 200, str(status))
    services = check_json("services.json", headers, body, "services") or []
    by_code = {service["service_code"]: service for service in services}
    check("services: the demo's 28 categories", len(services) == 28, str(len(services)))
    check("services: city has metadata", by_code.get("city", {}).get("metadata") is True)
    check("services: power has metadata", by_code.get("power", {}).get("metadata") is True)
    check("services: tax has none", by_code.get("tax", {}).get("metadata") is False)
    check("services: power's group is its parent", by_code.get("power", {}).get("group") == "水电气暖")
    status, headers, body = get(port, "/services.xml")
    root = check_xml("services.xml", headers, body)
    if root is not None:
        codes = [service.findtext("service_code") for service in root.findall("service")]
        check("services.xml: the same services in the same order",
              root.tag == "services" and codes == [service["service_code"] for service in services])
        city = [service for service in root.findall("service") if service.findtext("service_code") == "city"]
        check("services.xml: metadata true", city and city[0].findtext("metadata") == "true")


def test_definitions(port):
    status, headers, body = get(port, "/services/city.json", key=None)
    check("services/city.json 200", status == 200, str(status))
    definition = check_json("services/city.json", headers, body, "service_definition")
    if definition:
        attributes = {attribute["code"]: attribute for attribute in definition["attributes"]}
        kind = attributes.get("KIND", {})
        check("definition: KIND is a required singlevaluelist",
              kind.get("datatype") == "singlevaluelist" and kind.get("required") is True and kind.get("order") == 1)
        check("definition: KIND's values", [value["key"] for value in kind.get("values", [])]
              == ["garbage", "graffiti", "stall", "other"], repr(kind.get("values")))
        check("definition: SINCE is an optional datetime",
              attributes.get("SINCE", {}).get("datatype") == "datetime" and attributes["SINCE"]["required"] is False)
    status, headers, body = get(port, "/services/greening.xml")
    root = check_xml("services/greening.xml", headers, body)
    if root is not None:
        notice = [attribute for attribute in root.findall("attributes/attribute") if attribute.findtext("code") == "NOTICE"]
        check("definition.xml: a shown-only attribute is not variable",
              notice and notice[0].findtext("variable") == "false" and notice[0].findtext("required") == "false")
        trees = [attribute for attribute in root.findall("attributes/attribute") if attribute.findtext("code") == "TREES"]
        check("definition.xml: multivaluelist values",
              trees and len(trees[0].findall("values/value")) == 4 and trees[0].findtext("datatype") == "multivaluelist")
    status, headers, body = get(port, "/services/tax.json")
    definition = check_json("services/tax.json", headers, body, "service_definition")
    check("definition: a category without attributes", definition is not None and definition["attributes"] == [])
    status, headers, body = get(port, "/services/nothing.json")
    check_error("unknown service", status, headers, body, 404)
    status, headers, body = get(port, "/services/nothing.xml")
    check_error("unknown service (XML)", status, headers, body, 404, xml=True)
    status, headers, body = get(port, "/services/x'%20OR%20'1'='1.json")
    check_error("a service code of SQL", status, headers, body, 404)


def read_request(port, number, fmt="json", extensions=False, key="main"):
    query = "?extensions=true" if extensions else ""
    return get(port, f"/requests/{number}.{fmt}{query}", key=key)


def test_post_and_read(port):
    status, headers, body = post(port, "/requests.json", city_request() + [("api_key", keys["main"])])
    check("POST requests.json 201", status == 201, f"{status} {body[:300]!r}")
    answer = check_json("POST requests.json", headers, body, "post_response")
    number = answer[0]["service_request_id"] if answer else ""
    check("POST: Location of the request", headers.get("location") == f"{BASE}/requests/{number}.json",
          headers.get("location"))
    check("POST: account_id null when none was given", answer and answer[0]["account_id"] is None)

    status, headers, body = read_request(port, number)
    check("GET requests/ID.json 200", status == 200, f"{status} {body[:300]!r}")
    document = check_json("GET requests/ID.json", headers, body, "service_requests")
    if document:
        item = document[0]
        check("read back: open, not yet dispatched", item["status"] == "open" and item["agency_responsible"] is None)
        check("read back: the service", item["service_code"] == "city" and item["service_name"] == "市容环境")
        check("read back: the description", item["description"] == "东风路与长风街口垃圾堆放三天无人清理")
        check("read back: the address and location", item["address"] == "小店区长风街 18 号"
              and abs(item["lat"] - 37.8123) < 1e-6 and abs(item["long"] - 112.5456) < 1e-6)
        check("read back: media_url", item["media_url"] == "https://example.org/photo.jpg")
        check("read back: requested and updated the same instant",
              item["requested_datetime"] == item["updated_datetime"])
    for secret in (b"13912345678", "张三".encode(), b"zhang@example.org", b"ios-test"):
        check(f"no personal data in the read: {secret!r}", secret not in body)
    status, headers, xml_body = read_request(port, number, "xml")
    root = check_xml("GET requests/ID.xml", headers, xml_body)
    if root is not None and document:
        check("requests/ID.xml: <service_requests><request>", root.tag == "service_requests"
              and len(root.findall("request")) == 1)
        compare_request("requests/ID.xml", document[0], root.find("request"))

    # The same request posted in XML, with the key in a Bearer header.
    status, headers, body = post(port, "/requests.xml", city_request(account_id="acct-7"), headers=bearer(keys["main"]))
    check("POST requests.xml 201", status == 201, f"{status} {body[:300]!r}")
    root = check_xml("POST requests.xml", headers, body)
    if root is not None:
        check("POST requests.xml: the answer's shape", root.tag == "service_requests"
              and re.fullmatch(r"\d{14}", root.findtext("request/service_request_id") or "") is not None
              and root.findtext("request/account_id") == "acct-7" and root.find("request/token") is None)

    # Tokens: a request's token is its id.
    status, headers, body = get(port, f"/tokens/{number}.json")
    tokens = check_json("tokens/ID.json", headers, body, "tokens")
    check("tokens/ID.json: the request's id", tokens == [{"service_request_id": number, "token": number}], repr(tokens))
    status, headers, body = get(port, f"/tokens/{number}.xml")
    root = check_xml("tokens/ID.xml", headers, body)
    check("tokens/ID.xml", root is not None and root.findtext("request/service_request_id") == number)
    status, headers, body = get(port, "/tokens/20991231999999.json")
    check_error("unknown token", status, headers, body, 404)
    status, headers, body = get(port, "/tokens/abc.xml")
    check_error("malformed token", status, headers, body, 404, xml=True)
    return number


def test_attributes_and_answers(port):
    # A multivaluelist (greening's TREES) and a datetime answer; extensions show them.
    pairs = [("service_code", "greening"), ("description", "公园里两棵树倒伏"), ("address_id", "park-7"),
             ("attribute[TREES][]", "fallen"), ("attribute[TREES][]", "pests")]
    status, headers, body = post(port, "/requests.json", pairs, headers=bearer(keys["main"]))
    check("POST with a multivaluelist 201", status == 201, f"{status} {body[:300]!r}")
    number = json.loads(body)[0]["service_request_id"] if status == 201 else ""
    status, headers, body = read_request(port, number, extensions=True)
    document = check_json("extensions=true", headers, body, "service_requests")
    if document:
        check("the answers, one per value", document[0]["attributes"]
              == [{"code": "TREES", "value": "fallen"}, {"code": "TREES", "value": "pests"}], repr(document[0]["attributes"]))
        check("address_id kept, no location", document[0]["address_id"] == "park-7" and document[0]["lat"] is None)
    status, headers, body = read_request(port, number, "xml", extensions=True)
    root = check_xml("extensions=true (XML)", headers, body)
    if root is not None:
        values = [attribute.findtext("value") for attribute in root.findall("request/attributes/attribute")]
        check("XML answers", values == ["fallen", "pests"], repr(values))
        check("XML notes", [note.findtext("type") for note in root.findall("request/notes/note")] == ["register"])
    pairs = city_request() + [("attribute[SINCE]", "2024-02-01T09:30:00+08:00")]
    status, _, body = post(port, "/requests.json", pairs, headers=bearer(keys["main"]))
    check("a datetime answer", status == 201, f"{status} {body[:300]!r}")


def hostile_posts():
    """(name, body bytes or pairs, content type, expected status): each must change nothing."""
    key = ("api_key", keys["main"])
    good = city_request() + [key]
    encode = form_body
    cases = [
        ("missing api_key", city_request(), None, 403),
        ("unknown api_key", city_request() + [("api_key", "0" * 64)], None, 403),
        ("malformed api_key", city_request() + [("api_key", "' OR '1'='1")], None, 403),
        ("revoked api_key", city_request() + [("api_key", keys["revoked"])], None, 403),
        ("unknown service", [key] + [p for p in city_request() if p[0] != "service_code"] + [("service_code", "moon")],
         None, 400),
        ("no service_code", [key] + [p for p in city_request() if p[0] != "service_code"], None, 400),
        ("SQL in service_code", [key] + [p for p in city_request() if p[0] != "service_code"]
         + [("service_code", "city'; DROP TABLE orders; --")], None, 400),
        ("no location", [key] + [p for p in city_request() if p[0] not in ("lat", "long", "address_string")], None, 400),
        ("lat without long", [key] + [p for p in city_request() if p[0] != "long"], None, 400),
        ("lat out of range", [key] + [p for p in city_request() if p[0] != "lat"] + [("lat", "91")], None, 400),
        ("description of 4001 characters", [key] + [p for p in city_request() if p[0] != "description"]
         + [("description", "长" * 4001)], None, 400),
        ("a control character", [key] + [p for p in city_request() if p[0] != "description"]
         + [("description", "bell\x07")], None, 400),
        ("unknown attribute", good + [("attribute[COLOUR]", "red")], None, 400),
        ("required attribute missing", [p for p in good if p[0] != "attribute[KIND]"], None, 400),
        ("attribute value not offered", [p for p in good if p[0] != "attribute[KIND]"] + [("attribute[KIND]", "fire")],
         None, 400),
        ("attribute of SQL", [p for p in good if p[0] != "attribute[KIND]"]
         + [("attribute[KIND]", "garbage' OR '1'='1")], None, 400),
        ("datetime attribute malformed", good + [("attribute[SINCE]", "yesterday")], None, 400),
        ("[] on a single value", [p for p in good if p[0] != "attribute[KIND]"] + [("attribute[KIND][]", "garbage")],
         None, 400),
        ("repeated parameter", good + [("description", "again")], None, 400),
        ("repeated api_key", good + [key], None, 400),
        ("unknown parameter", good + [("priority", "high")], None, 400),
        # Issue 4: the name is quoted cut to 64 bytes, which once split a
        # character and made the error JSON invalid UTF-8.
        ("unknown parameter of 90 bytes of Chinese", good + [("参" * 30, "x")], None, 400),
        ("phone of letters", [p for p in good if p[0] != "phone"] + [("phone", "call me")], None, 400),
        ("email malformed", [p for p in good if p[0] != "email"] + [("email", "nobody")], None, 400),
        ("media_url not http", [p for p in good if p[0] != "media_url"] + [("media_url", "javascript:alert(1)")],
         None, 400),
        ("malformed percent-encoding", encode(good) + b"&description2=%zz", None, 400),
        ("percent without digits", encode(good).replace(b"description=", b"description=100%25%", 1), None, 400),
        ("invalid UTF-8", encode([p for p in good if p[0] != "description"]) + b"&description=%FF%FE", None, 400),
        ("overlong UTF-8", encode([p for p in good if p[0] != "description"]) + b"&description=%C0%AF", None, 400),
        ("NUL byte", encode([p for p in good if p[0] != "description"]) + b"&description=a%00b", None, 400),
        ("raw control character", encode(good) + b"&x=a\nb", None, 400),
        ("empty parameter", encode(good) + b"&&", None, 400),
        ("parameter without =", encode(good) + b"&flag", None, 400),
        ("JSON body", json.dumps(dict(good)).encode(), "application/json", 400),
        ("multipart body", encode(good), "multipart/form-data; boundary=x", 400),
        ("another charset", encode(good), "application/x-www-form-urlencoded; charset=GBK", 400),
        ("no content type", encode(good), None, 400),
    ]
    return cases


def test_hostile_posts(port, binary, environment):
    before = order_total(port)
    for name, body, content_type, expected in hostile_posts():
        raw = body if isinstance(body, bytes) else form_body(body)
        if name == "no content type":
            content_type = None
        elif content_type is None:
            content_type = "application/x-www-form-urlencoded"
        for fmt in ("json", "xml"):
            status, headers, answer = post(port, f"/requests.{fmt}", raw=raw, content_type=content_type)
            check_error(f"POST {name} ({fmt})", status, headers, answer, expected, xml=fmt == "xml")
    check("hostile posts: the store is unchanged", order_total(port) == before, f"{before} -> {order_total(port)}")
    # A description of exactly 4000 characters and SQL metacharacters are data.
    text = "'; DROP TABLE orders; -- " + "长" * (4000 - 25)
    status, _, body = post(port, "/requests.json", [p for p in city_request() if p[0] != "description"]
                           + [("description", text), ("api_key", keys["main"])])
    check("a description of 4000 characters is taken", status == 201, f"{status} {body[:200]!r}")
    if status == 201:
        number = json.loads(body)[0]["service_request_id"]
        status, _, body = read_request(port, number)
        check("it reads back verbatim", json.loads(body)[0]["description"] == text)
    check("one order more", order_total(port) == before + 1)


def test_get_errors(port):
    cases = [
        ("/requests.csv", 404, True),       # unknown format: answered in XML
        ("/requests", 404, True),           # no format
        ("/", 404, True),
        ("/nothing.json", 404, False),
        ("/requests/abc.json", 404, False),
        ("/requests/20991231999999.json", 404, False),
        ("/requests/20991231999999.xml", 404, True),
        ("/requests/a/b.json", 404, False),
        ("/services.json?foo=1", 400, False),
        ("/services.json?jurisdiction_id=a&jurisdiction_id=b", 400, False),
        ("/requests.json?status=pending", 400, False),
        ("/requests.json?status=open,", 400, False),
        ("/requests.json?start_date=yesterday", 400, False),
        ("/requests.json?start_date=2024-02-01%2010:00:00", 400, False),
        ("/requests.json?start_date=2024-01-01T00:00:00Z&end_date=2024-06-01T00:00:00Z", 400, False),
        ("/requests.json?start_date=2024-03-01T00:00:00Z&end_date=2024-02-01T00:00:00Z", 400, False),
        ("/requests.json?page_size=0", 400, False),
        ("/requests.json?page_size=1001", 400, False),
        ("/requests.json?page=0", 400, False),
        ("/requests.json?extensions=maybe", 400, False),
        ("/requests.xml?service_request_id=123", 400, True),
        ("/requests.json?service_code=a%27b", 400, False),
        ("/requests.json?service_code=city&service_code=power", 400, False),
        ("/requests.json?description=%FF", 400, False),
        ("/requests.json?status=%00open", 400, False),
    ]
    for path, expected, xml in cases:
        status, headers, body = get(port, path)
        check_error(f"GET {path}", status, headers, body, expected, xml=xml)
    status, headers, body = request(port, "POST", BASE + "/services.json", body=b"",
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    check_error("POST services.json", status, headers, body, 405)
    check("405 names the methods", headers.get("allow") == "GET, HEAD", headers.get("allow"))
    status, headers, body = request(port, "PUT", BASE + "/requests.json", body=b"")
    check("PUT: 405 from the route table", status == 405 and "POST" in headers.get("allow", ""), str(status))
    # Keys on reads: none is fine, a wrong or revoked one is refused.
    status, _, _ = get(port, "/services.json", key=None)
    check("GET without a key", status == 200, str(status))
    status, headers, body = get(port, "/services.json", key="revoked")
    check_error("GET with a revoked key", status, headers, body, 403)
    status, headers, body = get(port, "/services.json?api_key=" + "f" * 64, key=None)
    check_error("GET with an unknown api_key", status, headers, body, 403)
    status, headers, body = get(port, "/services.json", key=None, headers={"Authorization": "Basic YTpi"})
    check_error("GET with Basic authorization", status, headers, body, 403)
    status, headers, body = get(port, "/services.json?api_key=" + keys["low"])
    check_error("api_key and Authorization disagree", status, headers, body, 403)


def test_lists(port, posted):
    status, headers, body = get(port, "/requests.json")
    listed = check_json("GET requests.json", headers, body, "service_requests") or []
    ids = [item["service_request_id"] for item in listed]
    check("requests.json: the posted requests, newest first", posted in ids and ids == sorted(ids, reverse=True),
          repr(ids[:5]))
    check("requests.json: only Open311's (the demo's phone orders are not published)",
          all(not identifier.startswith("202402") for identifier in ids))
    status, headers, body = get(port, "/requests.xml")
    root = check_xml("GET requests.xml", headers, body)
    if root is not None:
        xml_ids = [request.findtext("service_request_id") for request in root.findall("request")]
        check("requests.xml: the same list", xml_ids == ids)
        if listed:
            compare_request("requests.xml", listed[0], root.findall("request")[0])
    status, headers, body = get(port, "/requests.json?service_code=greening")
    greening = check_json("service_code=greening", headers, body, "service_requests") or []
    check("service_code filters", greening and all(item["service_code"] == "greening" for item in greening))
    status, _, body = get(port, "/requests.json?service_code=greening,city")
    check("a list of service codes", len(json.loads(body)) == len(listed), str(len(json.loads(body))))
    status, _, body = get(port, "/requests.json?service_code=nothing")
    check("an unknown service code matches nothing", status == 200 and json.loads(body) == [])
    status, _, body = get(port, f"/requests.json?page_size=1&page=2")
    check("paging", status == 200 and [item["service_request_id"] for item in json.loads(body)] == ids[1:2])
    status, _, body = get(port, f"/requests.json?service_request_id={posted},{ids[0]},20991231999999,{posted}"
                                "&status=closed&service_code=nothing")
    check("service_request_id overrides the other filters, in its order, once each", status == 200
          and [item["service_request_id"] for item in json.loads(body)] == [posted, ids[0]], body[:200])
    today = datetime.now(ZONE).strftime("%Y-%m-%d")
    status, _, body = get(port, f"/requests.json?start_date={today}&end_date={today}")
    check("a one-day window (dates alone)", status == 200 and len(json.loads(body)) == len(listed), body[:200])
    status, _, body = get(port, "/requests.json?start_date=2024-02-01T00:00:00%2B08:00&end_date=2024-02-29T23:59:59Z")
    check("a past window holds nothing of Open311's", status == 200 and json.loads(body) == [])
    status, _, body = get(port, "/requests.json?start_date=2024-02-01T00:00:00+08:00")
    check("an unencoded '+' of a zone is read as '+'", status == 200, f"{status} {body[:200]!r}")
    status, _, body = get(port, "/requests.json?start_date=2024-01-01&end_date=2024-03-31")
    check("a window of exactly 90 days", status == 200, f"{status} {body[:200]!r}")
    status, _, body = get(port, "/requests.json?start_date=2024-01-01&end_date=2024-04-01")
    check("a window of 91 days: 400", status == 400, f"{status} {body[:200]!r}")
    status, _, body = get(port, "/requests.json?status=closed")
    check("nothing closed yet", status == 200 and json.loads(body) == [])
    status, _, body = get(port, "/requests.json?status=open,closed&lang=en")
    check("status=open,closed is everything", len(json.loads(body)) == len(listed))


def test_end_to_end(port, binary, environment):
    # Posted through Open311...
    posted_at = (datetime.now(ZONE) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    status, _, body = post(port, "/requests.json", city_request("人民广场东侧垃圾桶满溢，异味严重")
                           + [("api_key", keys["main"])])
    check("e2e: posted", status == 201, f"{status} {body[:200]!r}")
    number = json.loads(body)[0]["service_request_id"]
    # ... the demo's dispatcher sees it in /api/v1 and dispatches it ...
    dispatcher = login_token(port, "dispatcher1")
    status, _, body = request(port, "GET", f"/api/v1/orders/{number}", headers={"Authorization": f"Bearer {dispatcher}"})
    order = json.loads(body) if status == 200 else {}
    check("e2e: an order of channel open311, type help, by the intake account",
          order.get("channel") == "open311" and order.get("type") == "help" and order.get("registered_by") == "open311"
          and order.get("category") == "city" and order.get("title") == "人民广场东侧垃圾桶满溢，异味严重", repr(order)[:300])
    status, _, body = act(port, dispatcher, number, "dispatch", {"unit": "city-management", "note": "内部：请城管处理"}, 1)
    check("e2e: dispatched", status == 200, f"{status} {body[:200]!r}")
    status, _, body = read_request(port, number)
    item = json.loads(body)[0]
    check("e2e: open, the agency responsible, an expected time",
          item["status"] == "open" and item["agency_responsible"] == "市城管局" and item["expected_datetime"] is not None,
          repr(item)[:300])
    # ... the unit's handler signs and completes it with a reply ...
    handler = login_token(port, "h-city-management")
    status, _, body = act(port, handler, number, "sign", {}, 2)
    check("e2e: signed", status == 200, f"{status} {body[:200]!r}")
    status, _, body = act(port, handler, number, "handle", {"note": "内部进展：已联系环卫"}, 3)
    check("e2e: progress noted", status == 200, f"{status} {body[:200]!r}")
    reply = "已安排环卫清运并增设垃圾桶两个，今后每日清运两次。"
    status, _, body = act(port, handler, number, "complete", {"note": reply}, 4)
    check("e2e: completed", status == 200, f"{status} {body[:200]!r}")
    completed_at = json.loads(body).get("completed_at") if status == 200 else None
    # ... read back through Open311: closed, with the unit's reply.
    for fmt in ("json", "xml"):
        status, headers, body = read_request(port, number, fmt, extensions=True)
        if fmt == "json":
            document = check_json("e2e: read back", headers, body, "service_requests")
            item = document[0] if document else {}
        else:
            root = check_xml("e2e: read back (XML)", headers, body)
            request_element = root.find("request") if root is not None else None
            item = {child.tag: child.text for child in request_element} if request_element is not None else {}
            item["notes"] = [{child.tag: child.text for child in note}
                             for note in (request_element.findall("notes/note") if request_element is not None else [])]
        check(f"e2e ({fmt}): closed", item.get("status") == "closed", repr(item.get("status")))
        check(f"e2e ({fmt}): status_notes is the unit's reply", item.get("status_notes") == reply,
              repr(item.get("status_notes")))
        check(f"e2e ({fmt}): updated when closed", item.get("updated_datetime") == completed_at,
              f"{item.get('updated_datetime')} != {completed_at}")
        check(f"e2e ({fmt}): nothing expected any more", item.get("expected_datetime") in (None,))
        notes = item.get("notes", [])
        types = [note["type"] for note in notes]
        check(f"e2e ({fmt}): public notes of the log", types == ["register", "dispatch", "sign", "handle", "complete"],
              repr(types))
        dispatch = [note for note in notes if note["type"] == "dispatch"]
        check(f"e2e ({fmt}): the dispatch note names the unit", dispatch
              and dispatch[0]["agency_responsible"] == "市城管局" and "市城管局" in dispatch[0]["summary"]
              and dispatch[0]["description"] is None, repr(dispatch))
        complete = [note for note in notes if note["type"] == "complete"]
        check(f"e2e ({fmt}): the completion note carries the reply", complete and complete[0]["description"] == reply
              and complete[0]["status"] == "closed", repr(complete))
        check(f"e2e ({fmt}): internal notes stay inside", "内部" not in body.decode())
    # The callback survey shows among the notes, without the citizen's words.
    surveyor = login_token(port, "surveyor1")
    status, _, body = act(port, surveyor, number, "survey", {"outcome": "reached", "rating": "satisfied",
                                                              "resolved": "yes", "note": "市民说：感谢"}, 5)
    check("e2e: surveyed", status == 200, f"{status} {body[:200]!r}")
    status, _, body = read_request(port, number, extensions=True)
    item = json.loads(body)[0]
    check("e2e: still closed after the survey, closed when completed",
          item["status"] == "closed" and item["updated_datetime"] == completed_at)
    survey = [note for note in item["notes"] if note["type"] == "survey"]
    check("e2e: the survey note", survey and "满意" in survey[0]["summary"] and survey[0]["description"] is None
          and "感谢" not in body.decode(), repr(survey))
    status, _, body = get(port, "/requests.json?status=closed&service_code=city")
    check("e2e: listed as closed", number in [entry["service_request_id"] for entry in json.loads(body)])
    status, _, body = get(port, "/requests.json?status=open")
    check("e2e: no longer listed as open", number not in [entry["service_request_id"] for entry in json.loads(body)])
    # Updates since the post: our events as updates, the last one closed.
    status, headers, body = get(port, "/servicerequestupdates.json?start_date="
                                + urllib.parse.quote(posted_at))
    updates = check_json("servicerequestupdates.json", headers, body, "updates") or []
    mine = [update for update in updates if update["service_request_id"] == number]
    check("updates: the request's public events in order", [update["type"] for update in mine]
          == ["register", "dispatch", "sign", "handle", "complete", "survey"], repr([u["type"] for u in mine]))
    check("updates: the completion closes it, with the reply", mine and mine[4]["status"] == "closed"
          and mine[4]["description"] == reply and mine[3]["status"] == "open")
    status, headers, body = get(port, "/servicerequestupdates.xml?start_date=" + urllib.parse.quote(posted_at))
    root = check_xml("servicerequestupdates.xml", headers, body)
    if root is not None:
        check("updates.xml: the same updates", root.tag == "service_request_updates"
              and [element.findtext("update_id") for element in root.findall("request_update")]
              == [update["update_id"] for update in updates])
    status, _, body = get(port, "/servicerequestupdates.json?page_size=2&page=2&start_date="
                          + urllib.parse.quote(posted_at))
    check("updates: paging", [update["update_id"] for update in json.loads(body)]
          == [update["update_id"] for update in updates[2:4]])
    return number


def test_admin_keys(port):
    admin = login_token(port, "secadmin")
    auth = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    status, _, body = request(port, "GET", "/api/v1/apikeys", headers=auth)
    listed = json.loads(body).get("apikeys", []) if status == 200 else []
    check("GET /api/v1/apikeys 200", status == 200 and len(listed) >= 4, f"{status} {body[:200]!r}")
    check("listed keys never show the key", all("key" not in entry and len(entry["prefix"]) == 8 for entry in listed))
    check("keys made on the command line have no creator", all(entry["created_by"] is None for entry in listed))
    check("the revoked key is listed as revoked",
          any(entry["revoked"] and entry["revoked_at"] is not None for entry in listed))
    status, headers, body = request(port, "POST", "/api/v1/apikeys", body=b'{"name":"web portal","rate_per_minute":30}',
                                    headers=auth)
    created = json.loads(body) if status == 201 else {}
    check("POST /api/v1/apikeys 201 with the key once", status == 201
          and re.fullmatch(r"[0-9a-f]{64}", created.get("key", "")) is not None
          and created.get("created_by") == "secadmin" and created.get("rate_per_minute") == 30
          and created["key"].startswith(created.get("prefix", "-")), f"{status} {body[:300]!r}")
    check("its Location", headers.get("location") == f"/api/v1/apikeys/{created.get('id')}", headers.get("location"))
    status, _, body = post(port, "/requests.json", city_request() + [("api_key", created.get("key", ""))])
    check("the new key posts", status == 201, f"{status} {body[:200]!r}")
    status, _, body = request(port, "DELETE", f"/api/v1/apikeys/{created.get('id')}", headers=auth)
    check("DELETE /api/v1/apikeys/ID revokes", status == 200 and json.loads(body).get("revoked") is True,
          f"{status} {body[:200]!r}")
    status, headers, body = post(port, "/requests.json", city_request() + [("api_key", created.get("key", ""))])
    check_error("a revoked key posts no more", status, headers, body, 403)
    status, _, _ = request(port, "DELETE", "/api/v1/apikeys/999999", headers=auth)
    check("DELETE an unknown key: 404", status == 404, str(status))
    status, _, _ = request(port, "DELETE", "/api/v1/apikeys/abc", headers=auth)
    check("DELETE a malformed id: 400", status == 400, str(status))
    for body, field in ((b'{"name":"x","rate_per_minute":0}', "rate_per_minute"), (b'{"rate_per_minute":5}', "name"),
                        (b'{"name":"   "}', "name"), (b'{"name":"x","key":"mine"}', "body"),
                        (b'{"name":"x","rate_per_minute":"5"}', "rate_per_minute")):
        status, _, answer = request(port, "POST", "/api/v1/apikeys", body=body, headers=auth)
        error = json.loads(answer).get("error", {}) if answer else {}
        check(f"POST /api/v1/apikeys {body.decode()}: 400 naming {field}", status == 400 and error.get("field") == field,
              f"{status} {answer[:200]!r}")
    dispatcher = login_token(port, "dispatcher1")
    for method, path, body in (("GET", "/api/v1/apikeys", None), ("POST", "/api/v1/apikeys", b'{"name":"x"}'),
                               ("DELETE", f"/api/v1/apikeys/{created.get('id')}", None)):
        status, _, answer = request(port, method, path, body=body,
                                    headers={"Authorization": f"Bearer {dispatcher}", "Content-Type": "application/json"})
        check(f"{method} {path} by a dispatcher: 403", status == 403, f"{status} {answer[:200]!r}")
        status, _, _ = request(port, method, path, body=body, headers={"Content-Type": "application/json"})
        check(f"{method} {path} without a session: 401", status == 401, str(status))


def test_rate_limits(port):
    # The low key: 2 POSTs a minute.
    outcomes = []
    for _ in range(3):
        status, headers, body = post(port, "/requests.json", city_request() + [("api_key", keys["low"])])
        outcomes.append(status)
    check("low key: two posts, then 429", outcomes == [201, 201, 429], repr(outcomes))
    check_error("429 answer", status, headers, body, 429)
    retry = headers.get("retry-after", "")
    check("429 has Retry-After in seconds", retry.isdigit() and 1 <= int(retry) <= 60, repr(retry))
    status, headers, body = post(port, "/requests.xml", city_request() + [("api_key", keys["low"])])
    check_error("429 in XML", status, headers, body, 429, xml=True)
    # Its reads have their own budget: ten times its rate.
    status, _, _ = get(port, "/services.json", key="low")
    check("low key still reads", status == 200, str(status))
    # The read key: rate 1, so 10 reads a minute.
    statuses = [get(port, "/services.json", key="read")[0] for _ in range(11)]
    check("read key: ten reads, then 429", statuses == [200] * 10 + [429], repr(statuses))


def register_v1(port, token, channel, consent=None, title="同意公开测试", secret="只给热线看的内容"):
    """Registers an order through /api/v1 (publish_consent sent only when
    consent is not None); returns (status, order)."""
    body = {"type": "help", "channel": channel, "title": title, "content": f"{title}：{secret}",
            "address": f"小店区{secret}路 9 号", "citizen_name": "李四", "citizen_phone": "13800000001"}
    if consent is not None:
        body["publish_consent"] = consent
    status, _, answer = request(port, "POST", "/api/v1/orders", body=json.dumps(body).encode(),
                                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return status, json.loads(answer) if answer else {}


def test_publish_consent(port, binary, environment):
    """Issue 11, finding 4: an order registered through /api/v1 under the
    channel open311 was published through Open311 reads without a key, its
    content and address included. Publication now follows the citizen's
    consent, recorded at intake (a post consents by the API's terms)."""
    agent = login_token(port, "agent1")
    status, named = register_v1(port, agent, "open311", secret="finding-4-未同意")
    check("finding 4: registered under the channel open311", status == 201, f"{status} {named}")
    check("finding 4: no consent unless asked", named.get("publish_consent") is False, repr(named)[:200])
    number = named.get("number", "")
    for key in (None, "main"):
        who = "without a key" if key is None else "with a key"
        status, headers, body = get(port, f"/requests/{number}.json", key=key)
        check(f"finding 4: the channel open311 without consent is not published ({who})", status == 404,
              f"{status} {body[:200]!r}")
        status, _, body = get(port, f"/requests.json?service_request_id={number}", key=key)
        check(f"finding 4: nor listed ({who})", status == 200 and json.loads(body) == [], f"{status} {body[:200]!r}")
    status, _, body = get(port, "/servicerequestupdates.json?page_size=1000", key=None)
    check("finding 4: its events are not among the updates",
          status == 200 and "finding-4".encode() not in body and number.encode() not in body, str(status))
    status, _, body = get(port, "/requests.json?page_size=1000", key=None)
    check("finding 4: neither its content nor its address in any list",
          status == 200 and "finding-4".encode() not in body, str(status))
    # A boolean, or nothing: the field is strictly typed.
    status, refused = register_v1(port, agent, "open311", consent="yes")
    check("publish_consent must be a boolean: 400 naming it",
          status == 400 and refused.get("error", {}).get("field") == "publish_consent", f"{status} {refused}")

    # Asked and given: the order is published, without the caller's name
    # or phone, as a post is.
    status, given = register_v1(port, agent, "open311", consent=True, secret="同意公开")
    check("consent given: shown in the order", status == 201 and given.get("publish_consent") is True,
          f"{status} {repr(given)[:200]}")
    status, headers, body = get(port, f"/requests/{given.get('number')}.json", key=None)
    document = check_json("consent given", headers, body, "service_requests")
    check("consent given: published", status == 200 and document and document[0]["service_request_id"] == given.get("number"),
          str(status))
    check("consent given: without the caller's name and phone", "李四".encode() not in body and b"13800000001" not in body)

    # A call with consent is published once open311.publish is "all"; the
    # demo's calls, without consent, are not, whatever the setting.
    status, phoned = register_v1(port, agent, "phone", consent=True, secret="电话同意")
    check("a call with consent", status == 201 and phoned.get("publish_consent") is True, str(status))
    status, _, _ = get(port, f"/requests/{phoned.get('number')}.json", key=None)
    check("a call with consent: not published while open311.publish is open311", status == 404, str(status))
    status, _, body = get(port, "/requests/20240201000001.json")
    check("a phone order is not published", status == 404, str(status))
    run_cli(binary, environment, "config", "open311.publish", "all")
    status, headers, body = get(port, f"/requests/{phoned.get('number')}.json?extensions=true", key=None)
    document = check_json("publish all: a call with consent", headers, body, "service_requests")
    check("publish all: the call with consent is public",
          status == 200 and document and document[0]["service_request_id"] == phoned.get("number"), str(status))
    check("publish all: without the caller's phone and name",
          b"13800000001" not in body and "李四".encode() not in body)
    status, _, _ = get(port, "/requests/20240201000001.json")
    check("publish all: a call without consent stays unpublished", status == 404, str(status))
    status, _, _ = get(port, f"/requests/{number}.json", key=None)
    check("publish all: finding 4's order stays unpublished", status == 404, str(status))
    status, _, body = get(port, "/requests.json?start_date=2024-02-01&end_date=2024-02-01&page_size=1000")
    check("publish all: a day of February 2024 holds no call without consent",
          status == 200 and json.loads(body) == [], f"{status}")
    status, _, body = get(port, "/servicerequestupdates.json?start_date=2024-02-01&end_date=2024-02-01&page_size=50")
    check("publish all: nor its updates", status == 200 and json.loads(body) == [])
    run_cli(binary, environment, "config", "open311.publish", "open311")
    status, _, _ = get(port, f"/requests/{phoned.get('number')}.json", key=None)
    check("publish open311 again: the call is hidden again", status == 404, str(status))
    # A jurisdiction, once named, must match.
    run_cli(binary, environment, "config", "open311.jurisdiction_id", "taiyuan.gov.cn")
    status, _, _ = get(port, "/services.json?jurisdiction_id=taiyuan.gov.cn")
    check("the right jurisdiction_id", status == 200, str(status))
    status, headers, body = get(port, "/services.json?jurisdiction_id=beijing.gov.cn")
    check_error("another jurisdiction_id (GET)", status, headers, body, 404)
    status, headers, body = post(port, "/requests.json", city_request() + [("api_key", keys["main"]),
                                                                           ("jurisdiction_id", "beijing.gov.cn")])
    check_error("another jurisdiction_id (POST)", status, headers, body, 400)


def test_anonymous_rate_limit(port):
    # Reads without a key share the client address's budget (600 a minute).
    statuses = []
    for _ in range(1201):
        status, headers, body = get(port, "/discovery.json", key=None)
        statuses.append(status)
        if status == 429:
            break
    check("anonymous reads: 429 within two windows of 600", statuses[-1] == 429, f"{len(statuses)} reads")
    if statuses[-1] == 429:
        check("anonymous 429 has Retry-After", headers.get("retry-after", "").isdigit())
        status, _, _ = get(port, "/discovery.json", key="main")
        check("a key's reads are not the address's", status == 200, str(status))


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    load_schemas()
    with tempfile.TemporaryDirectory(prefix="hotline-open311-") as directory:
        environment = {key: value for key, value in os.environ.items() if key not in ("HOTLINE_LANG", "HOTLINE_NOW")}
        use_demo_store(binary, environment, directory)  # a copy of the demo store (test_store.py)
        for name, rate in (("main", "6000"), ("low", "2"), ("read", "1"), ("revoked", "60")):
            keys[name] = run_cli(binary, environment, "apikey", "create", f"test {name}", "--rate", rate).splitlines()[-1]
        revoked_id = re.search(r"^4 ", run_cli(binary, environment, "apikey", "list"), re.M)
        check("four keys listed", revoked_id is not None)
        run_cli(binary, environment, "apikey", "revoke", "4")
        port = free_port()
        log_path = os.path.join(directory, "server.log")
        with open(log_path, "wb") as log, open(os.path.join(directory, "server.out"), "wb") as out:
            process = subprocess.Popen([binary, "serve", "--listen", f"{HOST}:{port}"], env=environment,
                                       stdout=out, stderr=log)
            try:
                if not wait_for_health(port, process):
                    check("server starts", False, open(log_path, errors="replace").read()[-2000:])
                else:
                    test_discovery(port)
                    test_services(port)
                    test_definitions(port)
                    posted = test_post_and_read(port)
                    test_attributes_and_answers(port)
                    test_hostile_posts(port, binary, environment)
                    test_get_errors(port)
                    test_lists(port, posted)
                    test_end_to_end(port, binary, environment)
                    test_admin_keys(port)
                    test_rate_limits(port)
                    test_publish_consent(port, binary, environment)
                    test_anonymous_rate_limit(port)
                    process.send_signal(signal.SIGTERM)
                    try:
                        check("SIGTERM: exit 0", process.wait(timeout=5) == 0)
                    except subprocess.TimeoutExpired:
                        check("SIGTERM: exit 0", False, "still running")
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()
        verified = subprocess.run([binary, "verify"], env=environment, capture_output=True, timeout=300)
        check("hotline verify afterwards", verified.returncode == 0,
              (verified.stdout + verified.stderr).decode(errors="replace")[-500:])
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
