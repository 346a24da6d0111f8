#!/usr/bin/env python3
"""Interop check of the organizations and groups API with Python's own HTTP client (urllib).

    python3 groups_client.py --base http://127.0.0.1:PORT --secret SECRET [--public-url URL]

Players and a service sign in with HS256 tokens minted here. alice creates an organization,
adds mona (MODERATOR) and bob (MEMBER), makes a group, bob joins it with the code typed in
lower case, and every refusal the issue names is checked on the way (403 forbidden and
not_org_member, 404 for what bob may not see, 409 already_member, 405 with Allow, 401 with
WWW-Authenticate, 400 naming the field). Exits 0 when every step matched docs/HTTP-API.md,
1 with a message on the first mismatch, 2 on bad usage.
"""

import argparse
import json
import os
import re
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from interop_common import Mismatch, check, mint_token  # noqa: E402

INVITE_CODE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$")
TIMEOUT = 10.0


class API:
    def __init__(self, base, secret):
        self.base = base.rstrip("/")
        self.tokens = {}
        self.secret = secret

    def token(self, user, role=None):
        key = (user, role)
        if key not in self.tokens:
            self.tokens[key] = mint_token(self.secret, user, role=role)
        return self.tokens[key]

    def call(self, method, path, user=None, body=None, role=None):
        """(status, headers, parsed JSON body or None) of one request; HTTP errors included."""
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if user is not None:
            request.add_header("Authorization", "Bearer " + self.token(user, role))
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers, parse(response.read())
        except urllib.error.HTTPError as error:
            return error.code, error.headers, parse(error.read())

    def expect(self, status, method, path, user=None, body=None, role=None, code=None):
        got, headers, answer = self.call(method, path, user, body, role)
        check(got == status, "%s %s as %s: expected %d, got %d" % (method, path, user, status, got), answer)
        if code is not None:
            check(isinstance(answer, dict) and answer.get("error", {}).get("code") == code,
                  "%s %s as %s: expected error %s" % (method, path, user, code), answer)
        if status >= 400:
            check(headers.get("Content-Type") == "application/json", "an error is JSON", dict(headers))
        return headers, answer


def parse(raw):
    if not raw:
        return None
    return json.loads(raw.decode("utf-8"))


def run(api, public_url):
    _, made = api.expect(201, "POST", "/api/v1/organizations", "alice", {"name": "  Knights of Ni  "})
    org = made["organization"]
    check(org["name"] == "Knights of Ni" and org["owner"] == "alice", "the organization as created", org)
    org_id = org["id"]
    api.expect(200, "PUT", "/api/v1/organizations/%s/members/mona" % org_id, "alice", {"role": "MODERATOR"})
    _, added = api.expect(200, "PUT", "/api/v1/organizations/%s/members/bob" % org_id, "mona", {"role": "MEMBER"})
    check(added["member"]["role"] == "MEMBER", "bob is a MEMBER", added)
    api.expect(403, "PUT", "/api/v1/organizations/%s/members/carol" % org_id, "mona", {"role": "MODERATOR"}, code="forbidden")
    _, members = api.expect(200, "GET", "/api/v1/organizations/%s/members" % org_id, "bob")
    check([m["user_id"] for m in members["members"]] == ["alice", "mona", "bob"], "members in join order", members)
    api.expect(404, "GET", "/api/v1/organizations/%s" % org_id, "olga", code="not_found")

    _, created = api.expect(201, "POST", "/api/v1/organizations/%s/groups" % org_id, "mona",
                            {"name": "Raid team", "description": "Tuesdays ✓"})
    group = created["group"]
    code = group["invite_code"]
    check(INVITE_CODE.match(code) is not None, "a well-formed invite code", group)
    if public_url:
        check(group.get("invite_link") == public_url + "/groups/join/" + code, "the invite link", group)
    group_id = group["id"]
    api.expect(403, "POST", "/api/v1/organizations/%s/groups" % org_id, "bob", {"name": "Mine"}, code="forbidden")
    api.expect(404, "GET", "/api/v1/groups/%s" % group_id, "bob", code="not_found")

    _, joined = api.expect(200, "POST", "/api/v1/groups/join/%s" % code.lower(), "bob")
    check(joined["group"]["invite_code"] is None and joined["group"]["member_count"] == 1, "bob's view of the group", joined)
    api.expect(409, "POST", "/api/v1/groups/join/%s" % code, "bob", code="already_member")
    api.expect(403, "POST", "/api/v1/groups/join/%s" % code, "olga", code="not_org_member")
    api.expect(404, "POST", "/api/v1/groups/join/ZZZZZZZZ", "bob", code="not_found")
    api.expect(403, "GET", "/api/v1/groups/%s/members" % group_id, "bob", code="forbidden")
    _, listed = api.expect(200, "GET", "/api/v1/organizations/%s/groups" % org_id, "bob")
    check([g["id"] for g in listed["groups"]] == [group_id], "bob lists his group", listed)
    _, roster = api.expect(200, "GET", "/api/v1/groups/%s/members" % group_id, "alice")
    check(roster["members"][0]["user_id"] == "bob" and roster["members"][0]["invited_by"] == "mona", "the roster", roster)

    _, renewed = api.expect(200, "POST", "/api/v1/groups/%s/regenerate-code" % group_id, "alice")
    check(renewed["invite_code"] != code and INVITE_CODE.match(renewed["invite_code"]), "a new code", renewed)
    api.expect(404, "POST", "/api/v1/groups/join/%s" % code, "alice", code="not_found")
    _, updated = api.expect(200, "PUT", "/api/v1/groups/%s" % group_id, "mona", {"name": "Raid B", "description": None})
    check(updated["group"]["name"] == "Raid B" and updated["group"]["description"] is None, "the update", updated)
    _, refused = api.expect(400, "PUT", "/api/v1/groups/%s" % group_id, "mona", {"name": ""}, code="invalid_request")
    check(refused["error"].get("field") == "name", "the refusal names the field", refused)

    status, _, body = api.call("POST", "/api/v1/groups/%s/leave" % group_id, "bob")
    check(status == 204 and body is None, "leaving is 204 with no body", {"status": status})
    api.expect(404, "POST", "/api/v1/groups/%s/leave" % group_id, "bob", code="not_found")
    api.expect(403, "DELETE", "/api/v1/groups/%s" % group_id, "mona", code="forbidden")
    api.expect(204, "DELETE", "/api/v1/groups/%s" % group_id, "alice")
    api.expect(404, "GET", "/api/v1/groups/%s" % group_id, "alice", code="not_found")

    headers, _ = api.expect(405, "PATCH", "/api/v1/groups/%s" % group_id, "alice", {}, code="method_not_allowed")
    check(headers.get("Allow") == "GET, PUT, DELETE", "405 says what is allowed", dict(headers))
    headers, _ = api.expect(401, "GET", "/api/v1/organizations/%s" % org_id, None, code="unauthorized")
    check(headers.get("WWW-Authenticate") == "Bearer", "401 asks for a bearer token", dict(headers))

    _, by_service = api.expect(201, "POST", "/api/v1/organizations", "tools", {"name": "Made by tools", "owner": "alice"}, role="service")
    check(by_service["organization"]["owner"] == "alice", "a service names the owner", by_service)
    api.expect(204, "DELETE", "/api/v1/organizations/%s/members/bob" % org_id, "tools", role="service")
    api.expect(204, "DELETE", "/api/v1/organizations/%s/members/mona" % org_id, "mona")
    api.expect(403, "DELETE", "/api/v1/organizations/%s/members/alice" % org_id, "alice", code="forbidden")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--public-url", default=None)
    args = parser.parse_args()
    try:
        run(API(args.base, args.secret), args.public_url)
    except Mismatch as mismatch:
        print("groups_client: " + str(mismatch), file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("groups_client: %s: %s" % (type(error).__name__, error), file=sys.stderr)
        return 1
    print("groups_client: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
