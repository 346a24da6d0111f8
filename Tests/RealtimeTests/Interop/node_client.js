#!/usr/bin/env node
'use strict';
// Interop check of the party protocol with a third-party client: the `ws` package (Debian's node-ws).
//   node node_client.js --url ws://127.0.0.1:PORT/api/v1/social/party/ws --secret SECRET
//   node node_client.js --url wss://127.0.0.1:PORT/api/v1/social/party/ws --secret SECRET --ca ROOT.pem
// Two players sign in with HS256 tokens minted here, A creates a party, B joins with the invite
// code, A chats (raw UTF-8 and \u-escaped JSON, with an emoji, a quote and a backslash), B
// leaves, and both close with 1000. Exits 0 when every step matched PROTOCOL-CORE.md, 1 with a
// message on the first mismatch, 2 on bad usage or a missing `ws`.
const crypto = require('crypto');
let WebSocket;
try {
  WebSocket = require('ws');
} catch (e) {
  try {
    WebSocket = require('/usr/share/nodejs/ws');
  } catch (e2) {
    console.error('node_client: the `ws` package is missing (apt-get install -y node-ws)');
    process.exit(2);
  }
}

const OVERALL_TIMEOUT_MS = 20000;
const STEP_TIMEOUT_MS = 5000;
const INVITE_CODE = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/;

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : undefined;
};
const URL_ = arg('--url');
const SECRET = arg('--secret');
// For wss://: the PEM root the server's chain must lead to (Node verifies chain and address).
const TRUSTED_ROOT = arg('--ca');
if (!URL_ || SECRET === undefined) {
  console.error('usage: node node_client.js --url ws://127.0.0.1:PORT/api/v1/social/party/ws --secret SECRET');
  process.exit(2);
}

class Mismatch extends Error {}
function check(condition, what, detail) {
  if (!condition) throw new Mismatch(detail === undefined ? what : `${what}: ${JSON.stringify(detail)}`);
}

const b64url = (text) => Buffer.from(text).toString('base64url');
function mintToken(subject) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ sub: subject, exp: now + 3600, iat: now, name: subject }));
  const signature = crypto.createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

// JSON with every non-ASCII UTF-16 unit written as \uXXXX (an emoji becomes a surrogate pair).
const asciiJSON = (value) =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

class Player {
  constructor(name) {
    this.name = name;
    this.inbox = [];
    this.waiters = [];
    this.nextRid = 0;
    this.closed = null;
  }

  open() {
    return new Promise((resolve, reject) => {
      const options = { handshakeTimeout: STEP_TIMEOUT_MS };
      if (TRUSTED_ROOT) options.ca = require('fs').readFileSync(TRUSTED_ROOT);
      this.ws = new WebSocket(`${URL_}?token=${mintToken(this.name)}`, options);
      this.closed = new Promise((onClose) => this.ws.on('close', (code, reason) => onClose({ code, reason: String(reason) })));
      this.ws.on('message', (data, isBinary) => {
        this.inbox.push({ data: data.toString('utf8'), isBinary });
        this.wake();
      });
      this.ws.on('open', () => resolve(this));
      this.ws.on('unexpected-response', (req, res) => {
        reject(new Mismatch(`${this.name}: the upgrade was refused with HTTP ${res.statusCode}`));
        req.destroy();
      });
      this.ws.on('error', (error) => {
        reject(error);
        this.wake();
      });
      this.ws.on('close', () => this.wake());
    });
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  async expect(predicate, what) {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      for (let i = 0; i < this.inbox.length; i++) {
        const { data, isBinary } = this.inbox[i];
        check(!isBinary, `${this.name}: the server sent a binary frame`, data);
        let message;
        try {
          message = JSON.parse(data);
        } catch (e) {
          throw new Mismatch(`${this.name}: the server sent invalid JSON: ${JSON.stringify(data)}`);
        }
        check(message !== null && typeof message === 'object' && !Array.isArray(message), `${this.name}: the server sent a non-object`, message);
        if (predicate(message)) {
          this.inbox.splice(i, 1);
          return message;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.ws.readyState === WebSocket.CLOSED) {
        throw new Mismatch(`${this.name}: no ${what} within ${STEP_TIMEOUT_MS / 1000} s; unmatched: ${JSON.stringify(this.inbox.map((m) => m.data))}`);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  event(name) {
    return this.expect((m) => m.ev === name, `'${name}' event`);
  }

  command(body, asciiOnly = false) {
    const rid = ++this.nextRid;
    const message = { ...body, rid };
    this.ws.send(asciiOnly ? asciiJSON(message) : JSON.stringify(message));
    return this.expect((m) => m.rid === rid, `reply to ${body.op} (rid ${rid})`);
  }

  extraReplies() {
    return this.inbox.filter((m) => !m.isBinary && 'rid' in JSON.parse(m.data)).map((m) => m.data);
  }

  async close() {
    this.ws.close(1000);
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve(null), STEP_TIMEOUT_MS);
    });
    const closed = await Promise.race([this.closed, timeout]);
    clearTimeout(timer);
    check(closed !== null, `${this.name}: the close handshake did not finish within ${STEP_TIMEOUT_MS / 1000} s`);
    check(closed.code === 1000, `${this.name}: the close was not clean (code ${closed.code}, reason ${JSON.stringify(closed.reason)})`);
  }
}

function checkParty(party, what, members, leader) {
  check(party !== null && typeof party === 'object', `${what}: no party in the reply`, party);
  check(typeof party.id === 'string' && party.id.length > 0, `${what}: party.id is not a non-empty string`, party);
  check(typeof party.invite_code === 'string' && INVITE_CODE.test(party.invite_code), `${what}: invite_code is not 8 characters of the alphabet`, party);
  check(party.leader === leader, `${what}: leader is not ${leader}`, party);
  check(JSON.stringify(party.members) === JSON.stringify(members), `${what}: members are not ${JSON.stringify(members)}`, party);
  check(party.max_members === 5, `${what}: max_members is not 5`, party);
}

async function scenario() {
  const run = `js${process.pid}`;
  const a = new Player(`${run}-a`);
  const b = new Player(`${run}-b`);
  await a.open();
  await b.open();
  for (const p of [a, b]) {
    const ready = await p.event('session.ready');
    check(ready.player === p.name, `${p.name}: session.ready names another player`, ready);
  }
  console.log(`ok   both connected: session.ready for ${a.name} and ${b.name}`);

  let reply = await a.command({ op: 'party.create' });
  check(reply.ok === true, 'party.create failed', reply);
  const party = reply.data && reply.data.party;
  checkParty(party, 'party.create', [a.name], a.name);
  const partyID = party.id;
  const code = party.invite_code;
  console.log(`ok   party.create -> ${partyID} invite ${code}`);

  reply = await b.command({ op: 'party.join', invite_code: code });
  check(reply.ok === true, 'party.join failed', reply);
  const joined = reply.data && reply.data.party;
  checkParty(joined, 'party.join', [a.name, b.name], a.name);
  check(joined.id === partyID && joined.invite_code === code, 'party.join returned another party', joined);
  const seen = [await a.event('party.member_joined'), await b.event('party.member_joined')];
  for (const e of seen) {
    check(e.party === partyID && e.player === b.name, 'member_joined names the wrong party or player', e);
    check(Number.isInteger(e.seq), 'member_joined seq is not an integer', e);
  }
  check(seen[0].seq === seen[1].seq, 'A and B see member_joined with different seq', seen);
  let seq = seen[0].seq;
  console.log(`ok   party.join -> both see member_joined ${b.name} seq ${seq}`);

  const texts = [
    ['hello from node ws', false],
    ['héllo wörld — 你好 🎉 "quoted" back\\slash / tab\tnew\nline \u0001', false], // raw UTF-8
    ['escaped: 🎉 é "q" \\ \u2028 end', true], // \uXXXX escapes, a surrogate pair for the emoji
  ];
  for (const [text, asciiOnly] of texts) {
    const before = Date.now();
    reply = await a.command({ op: 'party.chat', text }, asciiOnly);
    check(reply.ok === true, 'party.chat failed', reply);
    const events = [await a.event('party.chat'), await b.event('party.chat')];
    [a, b].forEach((p, i) => {
      const e = events[i];
      check(e.party === partyID, `${p.name}: chat event of the wrong party`, e);
      check(e.seq === seq + 1, `${p.name}: chat seq is not ${seq + 1}`, e);
      check(e.from === a.name, `${p.name}: chat from is not ${a.name}`, e);
      check(e.text === text, `${p.name}: chat text did not round-trip; sent ${JSON.stringify(text)}, got`, e.text);
      check(Number.isInteger(e.ts) && Math.abs(e.ts - before) < 60000, `${p.name}: chat ts is not the current unix ms`, e);
    });
    seq += 1;
    console.log(`ok   party.chat (${asciiOnly ? 'escaped' : 'raw UTF-8'}) ${JSON.stringify(text)} -> both see it, seq ${seq}`);
  }

  reply = await b.command({ op: 'party.leave' });
  check(reply.ok === true, 'party.leave failed', reply);
  for (const p of [a, b]) {
    const e = await p.event('party.member_left');
    check(e.party === partyID && e.player === b.name && e.seq === seq + 1, `${p.name}: member_left is not ${b.name} at seq ${seq + 1}`, e);
  }
  seq += 1;
  console.log(`ok   party.leave -> both see member_left ${b.name} seq ${seq}`);

  await new Promise((resolve) => setTimeout(resolve, 100)); // let a duplicate reply, if any, arrive
  for (const p of [a, b]) check(p.extraReplies().length === 0, `${p.name}: more than one reply to a command`, p.extraReplies());
  await Promise.all([a.close(), b.close()]);
  console.log('ok   both closed cleanly with 1000');
}

console.log(`node_client: ws -> ${URL_}`);
const watchdog = setTimeout(() => {
  console.error(`FAIL the scenario did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
scenario().then(
  () => {
    clearTimeout(watchdog);
    console.log('node_client: all checks passed');
    process.exit(0);
  },
  (error) => {
    console.error(error instanceof Mismatch ? `FAIL ${error.message}` : `FAIL ${error.stack || error}`);
    process.exit(1);
  },
);
