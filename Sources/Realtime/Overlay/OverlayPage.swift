import Protocol

/// `GET /overlay`: the stream overlay, one self-contained page for an OBS browser source. It
/// reads a read-only token from the URL's fragment (`/overlay#token=...`, so the token never
/// appears in a request line or an access log), opens the party WebSocket with it and shows the
/// player's party live. Everything is in the one response: no external request, a strict
/// Content-Security-Policy that allows only the page's own inline script and style (by their
/// SHA-256) and connections to its own origin.
enum OverlayPage {
    /// The response for a party WebSocket at `partyPath`. The path goes into an attribute of the
    /// `<html>` element (escaped), so the script and style, and their hashes, never change.
    static func response(partyPath: String) -> HTTPResponse {
        let html = """
            <!doctype html>
            <html lang="en" data-ws-path="\(escapeAttribute(partyPath))">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>PartyHub overlay</title>
            <style>\(style)</style>
            </head>
            <body class="theme-dark">
            <main id="overlay" data-status="connecting">
            <header><span id="status-dot"></span><span id="title">Party</span> <span id="count"></span></header>
            <ul id="members"></ul>
            <section id="ready" hidden></section>
            <ul id="loot"></ul>
            <ul id="chat"></ul>
            <p id="notice"></p>
            </main>
            <script>\(script)</script>
            </body>
            </html>

            """
        return HTTPResponse(
            status: .ok,
            headers: [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Security-Policy", contentSecurityPolicy),
                ("Cache-Control", "no-store"),
                ("Referrer-Policy", "no-referrer"),
                ("X-Content-Type-Options", "nosniff"),
            ],
            body: Array(html.utf8))
    }

    /// Only the inline script and style of this page, by hash; connections to the page's own
    /// origin (CSP 3: `'self'` also matches `ws:`/`wss:` to the same host and port); nothing
    /// else: no images, fonts, frames, forms or base URL.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'sha256-\(Base64.encode(Digest.sha256(script)))'; "
        + "style-src 'sha256-\(Base64.encode(Digest.sha256(style)))'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'"

    static func escapeAttribute(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static let style = """
        html,body{margin:0;background:transparent;font:600 18px/1.35 system-ui,sans-serif}
        main{display:inline-block;min-width:280px;max-width:460px;margin:12px;padding:10px 14px;border-radius:10px}
        .theme-dark main{background:rgba(12,14,22,.72);color:#f2f4f8;text-shadow:0 1px 2px #000}
        .theme-light main{background:rgba(255,255,255,.82);color:#161a24}
        header{font-size:20px;margin-bottom:6px;display:flex;align-items:center;gap:8px}
        #count{opacity:.7;font-weight:500}
        #status-dot{width:10px;height:10px;border-radius:50%;background:#d9a400}
        main[data-status=live] #status-dot{background:#2ecc71}
        main[data-status=offline] #status-dot{background:#e74c3c}
        ul{list-style:none;margin:0;padding:0}
        #members li{display:flex;align-items:center;gap:8px;padding:2px 0}
        .dot{width:9px;height:9px;border-radius:50%;background:#888}
        li[data-online=true] .dot{background:#2ecc71}
        li[data-online=false]{opacity:.55}
        .role{width:1.4em;text-align:center}
        .leader{color:#f1c40f}
        .answer{margin-left:auto;font-size:15px}
        #ready{margin:6px 0;font-size:15px}
        #loot li{font-size:15px;margin-top:4px}
        .q-poor{color:#9d9d9d}.q-common{color:inherit}.q-uncommon{color:#1eff00}.q-rare{color:#0a84ff}
        .q-epic{color:#b45cff}.q-legendary{color:#ff8000}
        .theme-light .q-uncommon{color:#128a00}.theme-light .q-rare{color:#0058c0}
        #chat{margin-top:6px;font-weight:500;font-size:15px}
        #chat b{font-weight:700;margin-right:6px}
        #notice{margin:4px 0 0;font-size:13px;opacity:.75}
        #notice:empty{display:none}
        """

    static let script = #"""
        "use strict";
        (function () {
          var ROLE_ICONS = { tank: "\u265C", healer: "\u271A", dps: "\u2694" };
          var MAX_CHAT = 6, MAX_LOOT = 4;
          var params = new URLSearchParams(location.hash.slice(1));
          var token = params.get("token") || "";
          var theme = new URLSearchParams(location.search).get("theme") === "light" ? "light" : "dark";
          document.body.className = "theme-" + theme;
          if (location.hash) { history.replaceState(null, "", location.pathname + location.search); }
          var state = { status: "connecting", player: null, party: null, lastSeq: 0, chat: [], loot: {}, lootOrder: [],
                        ready: null, connects: 0, resumes: 0, error: null, theme: theme };
          window.__overlayState = state;
          var el = function (id) { return document.getElementById(id); };
          var make = function (tag, cls, text) {
            var node = document.createElement(tag);
            if (cls) { node.className = cls; }
            if (text !== undefined) { node.textContent = text; }
            return node;
          };
          var socket = null, backoff = 500, nextRid = 1, pending = {};

          function setStatus(status, notice) {
            state.status = status;
            el("overlay").setAttribute("data-status", status);
            el("notice").textContent = notice || "";
          }

          function render() {
            var party = state.party;
            el("title").textContent = party ? "Party" : (state.player ? state.player + " \u2013 no party" : "Party");
            el("count").textContent = party ? party.roster.length + "/" + party.max_members : "";
            var list = el("members");
            list.textContent = "";
            (party ? party.roster : []).forEach(function (member) {
              var item = make("li");
              item.setAttribute("data-player", member.player);
              item.setAttribute("data-online", member.online ? "true" : "false");
              item.setAttribute("data-role", member.role || "");
              item.setAttribute("data-leader", party.leader === member.player ? "true" : "false");
              item.appendChild(make("span", "dot"));
              item.appendChild(make("span", "role", member.role ? (ROLE_ICONS[member.role] || "?") : "\u00B7"));
              item.appendChild(make("span", "name", member.player));
              if (party.leader === member.player) { item.appendChild(make("span", "leader", "\u2605")); }
              if (state.ready && state.ready.answers[member.player] !== undefined) {
                item.appendChild(make("span", "answer", state.ready.answers[member.player] ? "\u2714 ready" : "\u2716 not ready"));
              }
              list.appendChild(item);
            });
            var ready = el("ready");
            ready.hidden = !state.ready;
            if (state.ready) {
              ready.setAttribute("data-state", state.ready.state);
              ready.textContent = state.ready.state === "running" ? "Ready check by " + state.ready.by :
                (state.ready.allReady ? "Everyone is ready" : "Not everyone is ready");
            }
            var loot = el("loot");
            loot.textContent = "";
            state.lootOrder.forEach(function (id) {
              var roll = state.loot[id];
              var item = make("li");
              item.setAttribute("data-roll", id);
              item.setAttribute("data-state", roll.winner === undefined ? "open" : "done");
              item.appendChild(make("span", "q-" + roll.quality, "[" + roll.name + "]"));
              var what = roll.winner === undefined ? " rolling" + (roll.chosen ? " (" + roll.chosen + " chose)" : "")
                : (roll.winner ? " \u2192 " + roll.winner : " \u2192 nobody");
              item.appendChild(document.createTextNode(what));
              loot.appendChild(item);
            });
            var chat = el("chat");
            chat.textContent = "";
            state.chat.forEach(function (line) {
              var item = make("li");
              item.appendChild(make("b", "", line.from));
              item.appendChild(document.createTextNode(line.text));
              chat.appendChild(item);
            });
          }

          function send(message, onReply) {
            if (!socket || socket.readyState !== 1) { return; }
            message.rid = nextRid++;
            if (onReply) { pending[message.rid] = onReply; }
            socket.send(JSON.stringify(message));
          }

          function refresh() {
            send({ op: "party.get" }, function (reply) {
              adoptParty(reply.ok ? reply.data.party : null);
            });
          }

          function adoptParty(party) {
            if (!party || !state.party || party.id !== state.party.id) {
              state.chat = []; state.loot = {}; state.lootOrder = []; state.ready = null;
            }
            state.party = party;
            state.lastSeq = party ? party.seq : 0;
            if (party) {
              (party.loot_rolls || []).forEach(function (roll) { addRoll(roll.roll, roll.item); });
              if (party.ready_check && !state.ready) {
                state.ready = { state: "running", by: String(party.ready_check.by), answers: {}, allReady: false };
                (party.ready_check.answers || []).forEach(function (a) { state.ready.answers[a.player] = !!a.ready; });
              }
            }
            render();
          }

          function addRoll(id, item) {
            if (!id || !item) { return; }
            if (!state.loot[id]) { state.lootOrder.push(id); }
            state.loot[id] = state.loot[id] || { name: String(item.name), quality: String(item.quality) };
            while (state.lootOrder.length > MAX_LOOT) { delete state.loot[state.lootOrder.shift()]; }
          }

          // An event of the party: applied once (by seq), then the roster is read again for
          // anything that changes it.
          function onEvent(event) {
            if (!state.party || event.party !== state.party.id) { refresh(); return; }
            if (typeof event.seq === "number") {
              if (event.seq <= state.lastSeq) { return; }
              state.lastSeq = event.seq;
              state.party.seq = event.seq;
            }
            switch (event.ev) {
              case "party.chat":
                state.chat.push({ from: String(event.from), text: String(event.text) });
                while (state.chat.length > MAX_CHAT) { state.chat.shift(); }
                break;
              case "party.loot_roll_started": addRoll(event.roll, event.item); break;
              case "party.loot_chosen":
                if (state.loot[event.roll]) { state.loot[event.roll].chosen = String(event.player); }
                break;
              case "party.loot_rolled":
                addRoll(event.roll, event.item);
                state.loot[event.roll].winner = event.winner || null;
                break;
              case "party.ready_check_started":
                state.ready = { state: "running", by: String(event.by), answers: {}, allReady: false };
                break;
              case "party.ready_answered":
                if (state.ready) { state.ready.answers[event.player] = !!event.ready; }
                break;
              case "party.ready_check_result":
                state.ready = state.ready || { by: "", answers: {} };
                state.ready.state = "done";
                state.ready.allReady = !!event.all_ready;
                (event.answers || []).forEach(function (a) { state.ready.answers[a.player] = !!a.ready; });
                break;
              case "party.disbanded":
                adoptParty(null);
                return;
              default: break;
            }
            switch (event.ev) {
              case "party.member_joined": case "party.member_left": case "party.member_online":
              case "party.member_offline": case "party.role_changed": case "party.leader_changed":
              case "party.join_accepted": case "party.settings_changed":
                refresh();
                break;
              default: render();
            }
          }

          function connect() {
            if (!token) { setStatus("offline", "no token: add #token=... to the URL"); return; }
            var scheme = location.protocol === "https:" ? "wss://" : "ws://";
            var path = document.documentElement.getAttribute("data-ws-path");
            setStatus("connecting", state.connects ? "reconnecting\u2026" : "");
            socket = new WebSocket(scheme + location.host + path + "?token=" + encodeURIComponent(token));
            pending = {};
            socket.onmessage = function (message) {
              var data;
              try { data = JSON.parse(message.data); } catch (e) { return; }
              if (data.ev === "session.ready") {
                state.connects += 1;
                backoff = 500;
                state.player = data.player;
                setStatus("live");
                var previous = state.party, after = state.lastSeq;
                if (previous && data.party && previous.id === data.party.id) {
                  // Resume from the last seq applied; the roster comes from session.ready.
                  state.party = data.party;
                  send({ op: "session.resume", party: previous.id, after_seq: after }, function (reply) {
                    if (reply.ok) { state.resumes += 1; }
                    else { adoptParty(reply.error && reply.error.party ? reply.error.party : null); }
                  });
                  render();
                } else {
                  adoptParty(data.party);
                }
              } else if (data.ev) {
                onEvent(data);
              } else if (data.rid !== undefined && pending[data.rid]) {
                var callback = pending[data.rid];
                delete pending[data.rid];
                callback(data);
              }
            };
            socket.onclose = function (close) {
              socket = null;
              var fatal = close.code === 1008 || close.code === 4401 || close.code === 4403;
              if (fatal) { setStatus("offline", "refused: check the token"); return; }
              setStatus("offline", "reconnecting in " + Math.round(backoff / 1000) + " s");
              var wait = backoff + Math.floor(Math.random() * backoff / 2);
              backoff = Math.min(backoff * 2, 30000);
              setTimeout(connect, wait);
            };
          }

          // For tests: drop the connection as a network failure would (it reconnects and resumes).
          window.__overlayDrop = function () { if (socket) { socket.close(); } };
          render();
          connect();
        })();
        """#
}
