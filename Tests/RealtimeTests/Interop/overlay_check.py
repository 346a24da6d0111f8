#!/usr/bin/env python3
"""Checks the stream overlay (`GET /overlay`) in headless Chromium against a running hub.

    python3 overlay_check.py --url http://127.0.0.1:PORT --secret SECRET [--screenshot PNG] [--theme light]

Mints tokens (HS256) with the hub's secret, loads `/overlay#token=<alice's read-only token>`
in Chromium (through chromium_driver.Browser), drives a party from Python `websockets`
clients and a service token (alice creates, bob and carol join, bob chats, bob takes the tank
role, a `combat:loot-dropped` opens a roll, alice starts a ready check), and after each step
waits for the page's DOM to show it. Prints one JSON object: {"steps": [{"name", "ok",
"dom"}...], "csp_violations": [...], "screenshot": path}; exits 0 when every step passed.
"""

import argparse
import asyncio
import base64
import json
import os
import queue
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chromium_driver  # noqa: E402
from interop_common import mint_token  # noqa: E402
import websockets  # noqa: E402

DOM_EXPRESSION = """JSON.stringify({
  status: document.getElementById("overlay").getAttribute("data-status"),
  members: Array.from(document.querySelectorAll("#members li")).map(li => ({
    player: li.getAttribute("data-player"), online: li.getAttribute("data-online"),
    role: li.getAttribute("data-role"), leader: li.getAttribute("data-leader"),
    text: li.textContent})),
  chat: Array.from(document.querySelectorAll("#chat li")).map(li => li.textContent),
  loot: Array.from(document.querySelectorAll("#loot li")).map(li => ({state: li.getAttribute("data-state"), text: li.textContent})),
  ready: document.getElementById("ready").hidden ? null : document.getElementById("ready").textContent,
  lastSeq: window.__overlayState ? window.__overlayState.lastSeq : null,
  resumes: window.__overlayState ? window.__overlayState.resumes : null,
  connects: window.__overlayState ? window.__overlayState.connects : null,
  theme: document.body.className,
  href: location.href
})"""


def token(secret, sub, **extra):
    return mint_token(secret, sub, **extra)


class Player:
    def __init__(self, ws, name):
        self.ws, self.name, self.rid = ws, name, 0

    async def call(self, op, **fields):
        self.rid += 1
        await self.ws.send(json.dumps({"op": op, "rid": self.rid, **fields}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
            if message.get("rid") == self.rid and "ev" not in message:
                if not message.get("ok"):
                    raise RuntimeError(f"{self.name} {op}: {message}")
                return message.get("data")


async def open_player(ws_url, secret, name):
    ws = await websockets.connect(f"{ws_url}?token={token(secret, name)}")
    json.loads(await asyncio.wait_for(ws.recv(), 10))  # session.ready
    return Player(ws, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--screenshot")
    parser.add_argument("--theme", default="dark")
    parser.add_argument("--chromium")
    arguments = parser.parse_args()
    base = arguments.url.rstrip("/")
    ws_url = base.replace("http", "ws", 1) + "/api/v1/social/party/ws"
    executable = chromium_driver.find_browser(arguments.chromium)
    if not executable:
        print("overlay_check: no Chromium", file=sys.stderr)
        return 2
    events = queue.Queue()
    browser = chromium_driver.Browser(executable, events.put)
    report = {"steps": [], "console": []}
    loop = asyncio.new_event_loop()
    players = {}
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Runtime.enable", session=session)
        browser.call("Page.enable", session=session)
        browser.call("Emulation.setDefaultBackgroundColorOverride", {"color": {"r": 0, "g": 0, "b": 0, "a": 0}}, session=session)

        def dom():
            value = browser.call("Runtime.evaluate", {"expression": DOM_EXPRESSION, "returnByValue": True},
                                 session=session).get("result", {}).get("value")
            return json.loads(value) if isinstance(value, str) else None

        def step(name, check, timeout=10.0):
            deadline = time.monotonic() + timeout
            seen = None
            while time.monotonic() < deadline:
                seen = dom()
                if seen is not None:
                    try:
                        if check(seen):
                            report["steps"].append({"name": name, "ok": True, "dom": seen})
                            return True
                    except (KeyError, IndexError, TypeError):
                        pass
                time.sleep(0.1)
            report["steps"].append({"name": name, "ok": False, "dom": seen})
            return False

        def members(d):
            return {m["player"]: m for m in d["members"]}

        run = loop.run_until_complete
        players["alice"] = run(open_player(ws_url, arguments.secret, "alice"))
        run(players["alice"].call("party.create"))
        reader = token(arguments.secret, "alice", scope="read")
        url = f"{base}/overlay?theme={arguments.theme}#token={reader}"
        navigation = browser.call("Page.navigate", {"url": url}, session=session)
        if navigation.get("errorText"):
            raise chromium_driver.DriverError(navigation["errorText"])
        ok = step("loaded", lambda d: d["status"] == "live" and list(members(d)) == ["alice"]
                  and members(d)["alice"]["leader"] == "true" and "#token" not in d["href"]
                  and d["theme"] == "theme-" + arguments.theme)
        for name in ("bob", "carol"):
            players[name] = run(open_player(ws_url, arguments.secret, name))
            code = run(players["alice"].call("party.get"))["party"]["invite_code"]
            run(players[name].call("party.join", invite_code=code))
        ok &= step("joins", lambda d: list(members(d)) == ["alice", "bob", "carol"]
                   and all(m["online"] == "true" for m in d["members"]))
        run(players["bob"].call("party.chat", text="pull in 5 <b>not bold</b>"))
        ok &= step("chat", lambda d: d["chat"] == ["bobpull in 5 <b>not bold</b>"])
        run(players["bob"].call("party.set_role", role="tank"))
        ok &= step("role", lambda d: members(d)["bob"]["role"] == "tank" and "\u265c" in members(d)["bob"]["text"])
        service = token(arguments.secret, "combat", role="service")
        party_id = run(players["alice"].call("party.get"))["party"]["id"]
        drop = json.dumps({"events": [{"event_id": f"drop-{time.time_ns()}", "type": "combat:loot-dropped", "party": party_id,
                                       "source": "boss", "items": [{"item_id": "moonblade", "name": "Moonblade",
                                                                    "quality": "epic"}]}]}).encode()
        request = urllib.request.Request(f"{base}/api/v1/social/party/events", data=drop, method="POST",
                                         headers={"Authorization": f"Bearer {service}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            report["drop"] = json.loads(answer.read())
        ok &= step("loot roll", lambda d: len(d["loot"]) == 1 and d["loot"][0]["state"] == "open"
                   and "Moonblade" in d["loot"][0]["text"])
        run(players["alice"].call("party.ready_check"))
        run(players["bob"].call("party.ready", ready=True))
        ok &= step("ready check", lambda d: d["ready"] == "Ready check by alice" and "ready" in members(d)["bob"]["text"])
        run(players["carol"].ws.close())
        ok &= step("offline", lambda d: "carol" not in members(d) or members(d)["carol"]["online"] == "false")
        # The overlay's own connection drops: it reconnects and resumes from its last seq.
        # bob chats while it is away; the resume replays that chat.
        browser.call("Runtime.evaluate", {"expression": "window.__overlayDrop()"}, session=session)
        run(players["bob"].call("party.chat", text="said while the overlay was away"))
        ok &= step("reconnect and resume", lambda d: d["connects"] >= 2 and d["resumes"] >= 1
                   and d["status"] == "live" and d["chat"][-1] == "bobsaid while the overlay was away", timeout=15)
        if arguments.screenshot:
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
            with open(arguments.screenshot, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
            report["screenshot"] = arguments.screenshot
        while not events.empty():
            line = chromium_driver.describe_console(events.get())
            if line:
                report["console"].append(line)
        report["ok"] = bool(ok)
    except Exception as error:  # reported, never hidden: the Swift test fails on it
        report["ok"] = False
        report["error"] = f"{type(error).__name__}: {error}"
    finally:
        for player in players.values():
            try:
                loop.run_until_complete(player.ws.close())
            except Exception:
                pass
        browser.stop()
    print(json.dumps(report), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
