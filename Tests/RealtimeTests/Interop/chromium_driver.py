#!/usr/bin/env python3
"""Loads a page in headless Chromium, waits for it to set `window.__result`, prints it as JSON.

    python3 chromium_driver.py [--serve DIR] [--timeout SECONDS] [--screenshot PNG] URL

The page does the work in the browser's own JavaScript (its own WebSocket, its own DOM) and
reports by setting `window.__result` to any JSON value; this script prints that value as one
line of JSON on standard output. With `--serve DIR`, DIR is served read-only on
http://127.0.0.1:PORT/ for the run and URL is a path relative to it (`page.html?x=1`);
otherwise URL is loaded as given (http://, file://).

Chromium is driven through the DevTools protocol over `--remote-debugging-pipe` (fds 3 and 4,
messages ended by NUL), so there is no port to find and no third-party package to import. It
runs headless in a new temporary profile, in its own process group, with `--no-sandbox` when
run as root; the whole group is killed and the profile removed on every way out (a result, a
timeout, an error, SIGTERM or SIGINT), and the kernel kills the browser should this script
itself be killed; helpers that outlive the browser are reaped here as their subreaper, never
left to init. Console messages and uncaught exceptions of the page go to standard error.

Exit status: 0 with the result printed; 1 when the page set no result within the timeout or
the browser failed (what is known goes to standard error); 2 on bad usage or no browser.
"""

import argparse
import base64
import ctypes
import fcntl
import functools
import http.server
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
RESULT_EXPRESSION = "window.__result === undefined ? undefined : JSON.stringify(window.__result)"


class DriverError(Exception):
    pass


def log(message):
    print(f"chromium_driver: {message}", file=sys.stderr, flush=True)


def find_browser(explicit):
    if explicit:
        return shutil.which(explicit)
    for candidate in [os.environ.get("CHROMIUM", "")] + list(BROWSERS):
        if candidate:
            path = shutil.which(candidate)
            if path:
                return path
    return None


class Browser:
    """A headless Chromium and its DevTools pipe: `call` sends a command and waits for its
    answer; events go to a handler on the reader thread."""

    def __init__(self, executable, on_event, extra_flags=()):
        self.profile = tempfile.mkdtemp(prefix="partyhub-chromium-")
        self.on_event = on_event
        self.next_id = 0
        self.answers = {}
        self.answered = threading.Condition()
        self.closed = False
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()
        arguments = [
            executable,
            "--headless",
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-proxy-server",
            "--mute-audio",
            "--window-size=1280,800",
        ]
        if os.geteuid() == 0:
            arguments.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        arguments.extend(extra_flags)
        arguments.append("about:blank")

        def in_child():
            # The browser reads commands on fd 3 and writes answers on fd 4. Copy both pipe
            # ends above 4 first (close-on-exec), so that neither dup2 overwrites the other;
            # dup2 leaves 3 and 4 open across exec.
            command_end = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
            answer_end = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
            os.dup2(command_end, 3)
            os.dup2(answer_end, 4)
            # close_fds=False would also pass whatever this script inherited open: close those
            # (Python's own descriptors, subprocess's error pipe among them, close on exec).
            for name in os.listdir("/proc/self/fd"):
                descriptor = int(name)
                if descriptor > 4:
                    try:
                        if not fcntl.fcntl(descriptor, fcntl.F_GETFD) & fcntl.FD_CLOEXEC:
                            os.close(descriptor)
                    except OSError:
                        pass  # the directory listing's own descriptor, closed meanwhile
            # Killed with this script, even by SIGKILL (kept across exec for a plain binary).
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

        # The browser's helpers that outlive it are handed to this process, not to init, so
        # that `stop` can kill and reap every one of them.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        # No threads run yet: preexec_fn is only safe before they start. start_new_session
        # gives the browser a process group of its own for its helpers, killed together.
        try:
            self.process = subprocess.Popen(
                arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                close_fds=False, preexec_fn=in_child, start_new_session=True)
        except OSError as error:
            for descriptor in (to_browser_read, self.to_browser, self.from_browser, from_browser_write):
                os.close(descriptor)
            shutil.rmtree(self.profile, ignore_errors=True)
            raise DriverError(f"starting {executable}: {error}")
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.stderr_lines = []
        threading.Thread(target=self._read_stderr, daemon=True).start()
        threading.Thread(target=self._read_pipe, daemon=True).start()

    def _read_stderr(self):
        for line in self.process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if ":dbus/" not in text:  # no system bus in a container: noise, on every start
                self.stderr_lines.append(text)
            del self.stderr_lines[:-50]

    def _read_pipe(self):
        pending = b""
        while True:
            try:
                chunk = os.read(self.from_browser, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            pending += chunk
            *messages, pending = pending.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                if "id" in message:
                    with self.answered:
                        self.answers[message["id"]] = message
                        self.answered.notify_all()
                else:
                    self.on_event(message)
        with self.answered:
            self.closed = True
            self.answered.notify_all()

    def call(self, method, params=None, session=None, timeout=10.0):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise DriverError(f"{method}: the browser's pipe is closed ({error})")
        deadline = time.monotonic() + timeout
        with self.answered:
            while message["id"] not in self.answers:
                remaining = deadline - time.monotonic()
                if self.closed or remaining <= 0:
                    raise DriverError(f"{method}: no answer from the browser "
                                      f"({'it exited' if self.closed else f'within {timeout:.0f} s'})")
                self.answered.wait(remaining)
            answer = self.answers.pop(message["id"])
        if "error" in answer:
            raise DriverError(f"{method}: {answer['error'].get('message', answer['error'])}")
        return answer.get("result", {})

    def stop(self):
        """Asks the browser to close, then kills its whole process group and removes the profile."""
        if self.process.poll() is None:
            try:
                self.call("Browser.close", timeout=2.0)
            except DriverError:
                pass
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # helpers left in the group, or the browser
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log(f"the browser (pid {self.process.pid}) did not exit after SIGKILL")
        kill_and_reap_children()
        for descriptor in (self.to_browser, self.from_browser):
            try:
                os.close(descriptor)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)


def kill_and_reap_children(timeout=5.0):
    """Kills every child of this process (the browser's orphaned helpers, handed here as their
    subreaper) and reaps them, for up to `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            return  # no children left
        children = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as file:
                    # pid (comm) state ppid ...: comm may hold spaces, so split after its ')'.
                    if int(file.read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        children.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if time.monotonic() > deadline:
            log(f"children left after {timeout:.0f} s: {children}")
            return
        time.sleep(0.05)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


def serve(directory):
    """Serves `directory` on 127.0.0.1 and a free port from a daemon thread; returns the server."""
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def describe_console(event):
    params = event["params"]
    if event["method"] == "Runtime.consoleAPICalled":
        parts = []
        for argument in params.get("args", []):
            parts.append(str(argument.get("value", argument.get("description", argument.get("type")))))
        return f"console.{params.get('type')}: {' '.join(parts)}"
    if event["method"] == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        exception = details.get("exception", {})
        return f"uncaught: {exception.get('description') or details.get('text')}"
    return None


def run(arguments):
    executable = find_browser(arguments.chromium)
    if not executable:
        looked = arguments.chromium or ", ".join([os.environ.get("CHROMIUM") or "$CHROMIUM"] + list(BROWSERS))
        log(f"no Chromium found (apt-get install -y chromium); looked for {looked}")
        return 2
    deadline = time.monotonic() + arguments.timeout
    events = queue.Queue()
    try:
        browser = Browser(executable, events.put, arguments.browser_flag)
    except DriverError as error:
        log(f"FAIL {error}")
        return 1
    http_server = None
    try:
        url = arguments.url
        if arguments.serve:
            http_server = serve(os.path.abspath(arguments.serve))
            url = urllib.parse.urljoin(f"http://127.0.0.1:{http_server.server_address[1]}/", url)
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Runtime.enable", session=session)
        browser.call("Page.enable", session=session)
        navigation = browser.call("Page.navigate", {"url": url}, session=session)
        if navigation.get("errorText"):
            raise DriverError(f"loading {url}: {navigation['errorText']}")
        shown = url if len(url) <= 160 else url[:160] + f"... ({len(url)} characters)"
        log(f"loaded {shown} in {os.path.basename(executable)} (pid {browser.process.pid})")
        while True:
            while not events.empty():
                line = describe_console(events.get())
                if line:
                    print(line, file=sys.stderr, flush=True)
            try:
                evaluated = browser.call(
                    "Runtime.evaluate", {"expression": RESULT_EXPRESSION, "returnByValue": True}, session=session,
                    timeout=min(10.0, max(1.0, deadline - time.monotonic())))
            except DriverError as error:
                if browser.process.poll() is not None:
                    raise
                evaluated = {}  # a context replaced by the navigation: ask again
                if "context" not in str(error):
                    log(f"evaluating window.__result: {error}")
            value = evaluated.get("result", {}).get("value")
            if isinstance(value, str):
                result = json.loads(value)
                break
            if browser.process.poll() is not None:
                raise DriverError(f"the browser exited ({browser.process.returncode}) before the page set a result")
            if time.monotonic() > deadline:
                raise DriverError(f"the page set no window.__result within {arguments.timeout:.0f} s")
            time.sleep(0.05)
        if arguments.screenshot:
            shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
            with open(arguments.screenshot, "wb") as file:
                file.write(base64.b64decode(shot["data"]))
        print(json.dumps(result), flush=True)  # ASCII with \u escapes, whatever the locale
        return 0
    except DriverError as error:
        log(f"FAIL {error}")
        if browser.stderr_lines:
            log("the browser's last lines:\n" + "\n".join(browser.stderr_lines[-15:]))
        return 1
    finally:
        browser.stop()
        if http_server:
            http_server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="the page; with --serve, a path relative to the served directory")
    parser.add_argument("--serve", metavar="DIR", help="serve DIR on http://127.0.0.1:PORT/ and load URL from it")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for window.__result (30)")
    parser.add_argument("--screenshot", metavar="PNG", help="save a screenshot of the page once it has a result")
    parser.add_argument("--chromium", help="the browser to run (default: $CHROMIUM, else chromium on PATH)")
    parser.add_argument(
        "--browser-flag", action="append", default=[], metavar="FLAG",
        help="one more Chromium flag (repeatable), e.g. --ignore-certificate-errors-spki-list=HASH to trust a test key")
    arguments = parser.parse_args()

    def stop_on_signal(number, frame):
        raise SystemExit(128 + number)  # unwinds through `finally`, which kills the browser

    signal.signal(signal.SIGTERM, stop_on_signal)
    signal.signal(signal.SIGINT, stop_on_signal)
    return run(arguments)


if __name__ == "__main__":
    sys.exit(main())
