#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Python reference of the Secure API wire format v1 (the deployed system), for interop tests.

Follows `secure-api-v1.md` byte by byte and deliberately keeps the deployed system's
behaviour, weaknesses included: the key file is read without stripping, the mask length and
mask characters come from Python's non-cryptographic `random`, the receiver never checks the
SHA-224 prefix nor the identifier's other characters, times are compared with `float()`,
and the server answers every `put` with `ack ok` whether it stored the message or not.
Anything the server cannot handle (bad token, unknown code, time that is not a float) raises,
so Flask answers an HTML error 500, as the deployed server does; a body that is not JSON gets
Flask's HTML error 400.

Note on NaN: `float()` refuses the document's example `00000000000000000nan` (500), but reads
a space-padded time such as 17 spaces + `nan` as NaN. Such a `put` is stored, and as NaN
compares false both ways, that token can be replayed at any later time and is stored again.

Frame layout (the plaintext of the innermost Fernet layer):

    <56 sha><20 time><3 code><n message><r mask><56 mask_identifier>

Run `secure_api_v1.py --help` for the commands (seal, open, serve, put, get, raw-post,
selftest).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import hashlib
import json
import logging
import random
import secrets
import sys
import threading
import time
import urllib.error
import urllib.request

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, request
from werkzeug.serving import BaseWSGIServer, make_server

ALPHABET = "qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOPASDFGHJKLZXCVBNM"
"""The 62 characters of key files and masks."""

SHA_LENGTH = 56
TIME_LENGTH = 20
CODE_LENGTH = 3
MAX_MASK = 1000
WINDOW_SECONDS = 5
HTTP_TIMEOUT_SECONDS = 30.0


# --- Keys -------------------------------------------------------------------------------


def load_password(path: str) -> str:
    """Returns the key file's whole content as the password `P`, without any stripping.

    Read in text mode like the deployed code, so a trailing newline becomes part of `P`.
    """
    with open(path, encoding="utf-8") as file:
        return file.read()


def layer_keys(password: str) -> list[Fernet]:
    """The `len(P) // 32` layer keys; key `i` is `P[32i:32i+32]` base64url-encoded."""
    count = len(password) // 32
    return [
        Fernet(base64.urlsafe_b64encode(password[32 * i : 32 * i + 32].encode("utf-8")))
        for i in range(count)
    ]


def sha_hex(password: str) -> str:
    """Lowercase hex SHA-224 of the password's UTF-8 bytes (56 characters)."""
    return hashlib.sha224(password.encode("utf-8")).hexdigest()


def format_time(t: float) -> str:
    """`format(t, '.4f')` left-padded with '0' to 20 characters, e.g. `000001796412688.6698`."""
    return format(t, ".4f").rjust(TIME_LENGTH, "0")


# --- Mask -------------------------------------------------------------------------------


def mask_frame(
    body: bytes, password: str, r: int | None = None, mask: str | None = None
) -> bytes:
    """Returns `<56 sha><body><r mask chars><56 identifier>`.

    Without `r`, it is drawn uniformly from 1...1000 with `random` (as deployed); without
    `mask`, its `r` characters are drawn from ALPHABET with `random`. A given `mask` must
    have length `r` (or sets `r` when `r` is omitted). An explicit `r` outside 1...1000 (but
    below 2**56, so the identifier can carry it) never comes from the deployed sender; it is
    allowed so tests can build frames that a strict receiver must refuse.
    """
    sha = sha_hex(password)
    if r is None:
        r = len(mask) if mask is not None else random.randint(1, MAX_MASK)
    if not 0 <= r < 2**SHA_LENGTH:
        raise ValueError(f"mask length {r} cannot be written in a 56-character identifier")
    if mask is None:
        mask = "".join(random.choice(ALPHABET) for _ in range(r))
    elif len(mask) != r:
        raise ValueError(f"mask has {len(mask)} characters, r is {r}")
    identifier = "".join("x" if (r >> k) & 1 else c for k, c in enumerate(sha))
    return sha.encode("ascii") + body + mask.encode("ascii") + identifier.encode("ascii")


def unmask_frame(frame: bytes) -> bytes:
    """Returns the frame body as the deployed receiver does: no check of `sha` or identifier.

    `r` is the sum of `2**k` over the positions `k` of 'x' in the last 56 characters, and the
    body is `frame[56 : len(frame) - 56 - r]` with Python's slice semantics.
    """
    identifier = frame[-SHA_LENGTH:]
    r = sum(1 << k for k, c in enumerate(identifier) if c == ord("x"))
    return frame[SHA_LENGTH : len(frame) - SHA_LENGTH - r]


# --- Layers -----------------------------------------------------------------------------


def seal(body: bytes, password: str) -> str:
    """Masks `body` and encrypts it with layers 0 (innermost) to L-1; returns the outer token."""
    keys = layer_keys(password)
    if not keys:
        raise ValueError("a password shorter than 32 characters gives no Fernet layer")
    token = mask_frame(body, password)
    for key in keys:
        token = key.encrypt(token)
    return token.decode("ascii")


def open_token(token: str | bytes, password: str) -> bytes:
    """Decrypts layers L-1 down to 0 (no TTL) and unmasks; returns the frame body.

    Raises `cryptography.fernet.InvalidToken` when any layer does not verify.
    """
    keys = layer_keys(password)
    if not keys:
        raise ValueError("a password shorter than 32 characters gives no Fernet layer")
    data = token.encode("ascii") if isinstance(token, str) else token
    for key in reversed(keys):
        data = key.decrypt(data)
    return unmask_frame(data)


# --- Server -----------------------------------------------------------------------------


class DeployedServer:
    """The deployed server's state machine (section 6): one stored message, in memory only."""

    def __init__(self) -> None:
        self.message = b""
        self.last_t: float | None = None  # time of the last accepted put, None before it

    def handle(self, body: bytes, now: float) -> bytes:
        """Returns the reply frame body for a request frame body received at time `now`.

        Raises ValueError for a time field `float()` cannot parse or an unknown code, which
        the Flask app turns into an HTML error 500, like the deployed server.
        """
        t_str = body[:TIME_LENGTH]
        code = body[TIME_LENGTH : TIME_LENGTH + CODE_LENGTH]
        message = body[TIME_LENGTH + CODE_LENGTH :]
        t = float(t_str)
        if code == b"put":
            if self.last_t is not None and t <= self.last_t:
                pass  # replay or reordering: ignored, yet answered like a success
            elif abs(now - t) > WINDOW_SECONDS:
                pass  # stale or from the future: ignored, yet answered like a success
            else:
                self.message = message
                self.last_t = t
            return t_str + b"ack" + b"ok"
        if code == b"get":
            if abs(now - t) > WINDOW_SECONDS:
                return t_str + b"ack"
            return t_str + b"ack" + self.message
        raise ValueError(f"unknown code {code!r}")


def make_app(password: str) -> Flask:
    """The deployed Flask app: `POST /` with JSON `{"txt": token}`, answered the same way.

    The state machine is reachable as `app.extensions["secure_api_v1"]` for tests.
    """
    app = Flask(__name__)
    server = DeployedServer()
    app.extensions["secure_api_v1"] = server

    @app.post("/")
    def exchange():
        body = open_token(request.get_json()["txt"], password)
        reply = server.handle(body, time.time())
        return {"txt": seal(reply, password)}

    return app


def make_http_server(password: str, host: str, port: int) -> BaseWSGIServer:
    """Binds Werkzeug's single-threaded server (what `app.run` uses) to the app.

    Port 0 picks a free port (read it back from `.port`). Request logging is turned off.
    """
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    return make_server(host, port, make_app(password), threaded=False)


# --- Client -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Reply:
    """A client request's outcome.

    `status` is the HTTP status. On 200, `res_time`, `res_code` and `payload` are the reply's
    frame body split at 20 and 23. Otherwise `res_time` and `res_code` are None and `payload`
    is the raw HTTP response body. `ok` is True only for a 200 reply with code `ack` and the
    time that was sent.
    """

    status: int
    res_time: bytes | None
    res_code: bytes | None
    payload: bytes
    ok: bool


def post_body(url: str, data: bytes) -> tuple[int, bytes]:
    """POSTs `data` as `application/json` without proxies; returns (HTTP status, body)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with opener.open(req, timeout=HTTP_TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def client_request(
    url: str, password: str, code: str, message: bytes, now: float | None = None
) -> Reply:
    """Sends `time + code + message` as the deployed client does and checks the reply.

    `now` replaces `time.time()` for the time field (to send stale or future requests).
    Raises InvalidToken when a 200 reply does not decrypt with `password`.
    """
    sent_time = format_time(time.time() if now is None else now).encode("ascii")
    token = seal(sent_time + code.encode("ascii") + message, password)
    status, raw = post_body(url, json.dumps({"txt": token}).encode("ascii"))
    if status != 200:
        return Reply(status, None, None, raw, False)
    body = open_token(json.loads(raw)["txt"], password)
    res_time = body[:TIME_LENGTH]
    res_code = body[TIME_LENGTH : TIME_LENGTH + CODE_LENGTH]
    payload = body[TIME_LENGTH + CODE_LENGTH :]
    ok = res_code == b"ack" and res_time == sent_time
    return Reply(status, res_time, res_code, payload, ok)


# --- Self-test --------------------------------------------------------------------------


class _Checks:
    """Counts named checks and reports failures on stderr."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def check(self, name: str, condition: bool) -> None:
        """Records a check that passed when `condition` is true."""
        if condition:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {name}", file=sys.stderr)

    def raises(self, name: str, exception: type[BaseException], action) -> None:
        """Records a check that passed when calling `action` raises `exception`."""
        try:
            action()
        except exception:
            self.passed += 1
        else:
            self.failed += 1
            print(f"FAILED: {name} (no {exception.__name__})", file=sys.stderr)


def _selftest_primitives(c: _Checks, password: str) -> None:
    """Layer keys, SHA-224 and the time format."""
    keys = layer_keys(password)
    c.check("512 characters give 16 layers", len(keys) == 16)
    c.check("513 characters still give 16 layers", len(layer_keys(password + "\n")) == 16)
    c.check(
        "SHA-224 of 'abc'",
        sha_hex("abc") == "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
    )
    c.check("trailing newline changes sha", sha_hex(password + "\n") != sha_hex(password))
    first = Fernet(base64.urlsafe_b64encode(password[:32].encode("ascii")))
    c.check("layer 0 is P[0:32]", keys[0].decrypt(first.encrypt(b"x")) == b"x")
    last = Fernet(base64.urlsafe_b64encode(password[480:512].encode("ascii")))
    c.check("layer 15 is P[480:512]", keys[15].decrypt(last.encrypt(b"x")) == b"x")
    c.check("time example", format_time(1796412688.6698) == "000001796412688.6698")
    c.check("time zero", format_time(0.0) == "000000000000000.0000")
    c.check("time is 20 chars", len(format_time(time.time())) == 20)


def _selftest_mask(c: _Checks, password: str) -> None:
    """Mask identifier, every mask length, and the unchecked receiver."""
    sha = sha_hex(password).encode("ascii")
    frame = mask_frame(b"body", password, r=9)
    identifier = frame[-56:]
    c.check("r=9 marks characters 0 and 3", identifier[:10] == b"x" + sha[1:3] + b"x" + sha[4:10])
    c.check("r=9 leaves the rest", identifier[10:] == sha[10:])
    c.check("frame starts with sha", frame[:56] == sha)
    all_ok = True
    for r in range(1, MAX_MASK + 1):
        frame = mask_frame(b"0123456789", password, r=r)
        mask = frame[56 + 10 : -56].decode("ascii")
        all_ok &= len(frame) == 112 + 10 + r and set(mask) <= set(ALPHABET)
        all_ok &= frame[-56 + 10 :] == sha[10:] and unmask_frame(frame) == b"0123456789"
    c.check("every r in 1...1000 round-trips", all_ok)
    lengths = {len(mask_frame(b"", password)) - 112 for _ in range(300)}
    c.check("random r within 1...1000", min(lengths) >= 1 and max(lengths) <= MAX_MASK)
    c.check("random r varies", len(lengths) > 100)
    forged = b"z" * 56 + mask_frame(b"hello", password, r=5)[56:]
    c.check("receiver ignores sha (as deployed)", unmask_frame(forged) == b"hello")
    c.check("explicit mask", mask_frame(b"", password, mask="abc")[56:59] == b"abc")
    c.raises("mask length mismatch", ValueError, lambda: mask_frame(b"", password, 4, "abc"))


def _selftest_layers(c: _Checks, password: str) -> None:
    """Sixteen-layer seal/open round trips and refusals."""
    keys = layer_keys(password)
    stamp = format_time(time.time()).encode("ascii")
    bodies = {
        "empty": stamp + b"put",
        "multi-byte UTF-8": stamp + b"put" + "héllo – 温度 21.5 °C 🌡".encode("utf-8"),
        "10 KB": stamp + b"put" + bytes(random.choice(ALPHABET.encode()) for _ in range(10240)),
    }
    for name, body in bodies.items():
        token = seal(body, password)
        c.check(f"{name}: seal/open", open_token(token, password) == body)
        c.check(f"{name}: token is ASCII", token.isascii())
        c.raises(f"{name}: outer layer is key 15", InvalidToken, lambda: keys[0].decrypt(token))
        data = token.encode("ascii")
        for key in reversed(keys):
            data = key.decrypt(data)
        c.check(f"{name}: innermost is the frame", data.startswith(sha_hex(password).encode()))
    token = seal(bodies["empty"], password)
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[40] ^= 1
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode("ascii")
    c.raises("tampered token refused", InvalidToken, lambda: open_token(tampered, password))
    other = "".join(secrets.choice(ALPHABET) for _ in range(512))
    c.raises("other key refused", InvalidToken, lambda: open_token(token, other))


def _selftest_state_machine(c: _Checks) -> None:
    """Section 6 rules: window, replay, silent ack ok, NaN, unknown code."""
    now = 1_796_412_688.6698

    def body(t: float | str, code: bytes, message: bytes = b"") -> bytes:
        t_str = t if isinstance(t, str) else format_time(t)
        return t_str.encode("ascii") + code + message

    s = DeployedServer()
    t0 = format_time(now).encode("ascii")
    c.check("get before any put", s.handle(body(now, b"get"), now) == t0 + b"ack")
    c.check("put answers ack ok", s.handle(body(now, b"put", b"A"), now) == t0 + b"ackok")
    c.check("get returns stored", s.handle(body(now, b"get"), now) == t0 + b"ackA")
    reply = s.handle(body(now, b"put", b"B"), now + 1)
    c.check("replayed time answers ack ok", reply == t0 + b"ackok")
    c.check("replayed time does not store", s.message == b"A")
    s.handle(body(now - 1, b"put", b"C"), now)
    c.check("older time does not store", s.message == b"A")
    s.handle(body(now + 5.5, b"put", b"D"), now)
    c.check("future time does not store", s.message == b"A")
    s.handle(body(now + 5, b"put", b"E"), now)
    c.check("exactly 5 s ahead stores", s.message == b"E")
    stale = format_time(now - 6).encode("ascii")
    c.check("stale get answers empty", s.handle(body(now - 6, b"get"), now) == stale + b"ack")
    s = DeployedServer()
    s.handle(body(now - 6, b"put", b"F"), now)
    c.check("stale put does not store", s.message == b"")
    c.raises("unknown code raises", ValueError, lambda: s.handle(body(now, b"del"), now))
    c.raises("doc's nan example is no float", ValueError,
             lambda: s.handle(body("00000000000000000nan", b"put"), now))
    nan_put = body(" " * 17 + "nan", b"put", b"G")
    s.handle(nan_put, now)
    c.check("space-padded nan put stores", s.message == b"G")
    s.handle(body(now - 1, b"put", b"H"), now)
    c.check("after nan, an older time stores", s.message == b"H")
    s.handle(body(now - 1, b"put", b"I"), now)
    c.check("then the replay check is back", s.message == b"H")
    s.handle(nan_put, now + 3600)
    c.check("a nan put replays at any later time", s.message == b"G")


def _selftest_flask(c: _Checks, password: str) -> None:
    """The Flask app through its test client, including a replayed token."""
    app = make_app(password)
    app.logger.disabled = True  # the 500 checks below would print tracebacks
    client = app.test_client()

    def post(token: str):
        return client.post("/", json={"txt": token})

    stamp = format_time(time.time()).encode("ascii")
    put = seal(stamp + b"put" + b"first", password)
    reply = post(put)
    c.check("app: put status", reply.status_code == 200)
    c.check("app: put reply", open_token(reply.get_json()["txt"], password) == stamp + b"ackok")
    get = seal(stamp + b"get", password)
    c.check("app: get", open_token(post(get).get_json()["txt"], password) == stamp + b"ackfirst")
    app.extensions["secure_api_v1"].message = b"changed"
    reply = post(put)
    c.check("app: replay answers ack ok", reply.status_code == 200 and open_token(
        reply.get_json()["txt"], password) == stamp + b"ackok")
    c.check("app: replay does not store", app.extensions["secure_api_v1"].message == b"changed")
    c.check("app: unknown code is 500", post(seal(stamp + b"del", password)).status_code == 500)
    c.check("app: bad token is 500", post("gAAAAAB-not-a-token").status_code == 500)


def _selftest_http(c: _Checks, password: str) -> None:
    """Client and server over loopback HTTP on a free port."""
    server = make_http_server(password, "127.0.0.1", 0)
    server.app.logger.disabled = True  # the 500 checks below would print tracebacks
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.port}/"
    try:
        c.check("http: put ok", client_request(url, password, "put", "23.5 °C".encode()).ok)
        reply = client_request(url, password, "get", b"")
        c.check("http: get ok", reply.ok and reply.payload == "23.5 °C".encode())
        stamp = format_time(time.time()).encode("ascii")
        captured = json.dumps({"txt": seal(stamp + b"put" + b"new", password)}).encode()
        post_body(url, captured)
        status, raw = post_body(url, captured)
        answer = open_token(json.loads(raw)["txt"], password)
        c.check("http: replayed token answers ack ok", status == 200 and answer == stamp + b"ackok")
        reply = client_request(url, password, "get", b"")
        c.check("http: replay did not store", reply.ok and reply.payload == b"new")
        old = client_request(url, password, "put", b"late", now=time.time() - 60)
        c.check("http: stale put still ok to the client", old.ok)
        c.check("http: stale put not stored",
                client_request(url, password, "get", b"").payload == b"new")
        other = "".join(secrets.choice(ALPHABET) for _ in range(512))
        reply = client_request(url, other, "get", b"")
        c.check("http: wrong key gives 500", reply.status == 500 and not reply.ok)
        status, _ = post_body(url, b"{not json")
        c.check("http: malformed JSON refused", status >= 400)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def selftest() -> bool:
    """Runs every self-check, prints the tally, and returns True when none failed."""
    checks = _Checks()
    password = "".join(secrets.choice(ALPHABET) for _ in range(512))
    _selftest_primitives(checks, password)
    _selftest_mask(checks, password)
    _selftest_layers(checks, password)
    _selftest_state_machine(checks)
    _selftest_flask(checks, password)
    _selftest_http(checks, password)
    print(f"selftest: {checks.passed} passed, {checks.failed} failed")
    return checks.failed == 0


# --- Command line -----------------------------------------------------------------------


EXIT_OK = 0
EXIT_ERROR = 1
EXIT_INSECURE = 3


def _cmd_seal(args: argparse.Namespace) -> int:
    """`seal`: stdin message -> outer token and a newline on stdout."""
    stamp = args.time if args.time is not None else format_time(time.time())
    body = stamp.encode("ascii") + args.code.encode("ascii") + sys.stdin.buffer.read()
    print(seal(body, load_password(args.key)))
    return EXIT_OK


def _cmd_open(args: argparse.Namespace) -> int:
    """`open`: stdin token -> frame body bytes, exactly, on stdout."""
    body = open_token(sys.stdin.read().strip(), load_password(args.key))
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    """`serve`: binds, announces `listening on http://HOST:PORT/`, serves until killed."""
    server = make_http_server(load_password(args.key), args.host, args.port)
    print(f"listening on http://{args.host}:{server.port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK


def _report(reply: Reply) -> None:
    """Explains on stderr why a reply was not accepted."""
    if reply.status != 200:
        print(f"rejected: HTTP {reply.status}", file=sys.stderr)
    else:
        print(f"insecure: reply code {reply.res_code!r}, time {reply.res_time!r}",
              file=sys.stderr)


def _cmd_put(args: argparse.Namespace) -> int:
    """`put`: prints `ok` (exit 0) or `insecure` (exit 3)."""
    reply = client_request(args.url, load_password(args.key), "put", args.message.encode())
    if not reply.ok:
        _report(reply)
        print("insecure")
        return EXIT_INSECURE
    print("ok")
    return EXIT_OK


def _cmd_get(args: argparse.Namespace) -> int:
    """`get`: prints the stored message (exit 0) or `insecure` (exit 3)."""
    reply = client_request(args.url, load_password(args.key), "get", b"")
    if not reply.ok:
        _report(reply)
        print("insecure")
        return EXIT_INSECURE
    print(reply.payload.decode("utf-8"))
    return EXIT_OK


def _cmd_raw_post(args: argparse.Namespace) -> int:
    """`raw-post`: POSTs stdin unchanged; writes `STATUS BODY`, the body verbatim."""
    status, body = post_body(args.url, sys.stdin.buffer.read())
    sys.stdout.buffer.write(f"{status} ".encode("ascii") + body)
    sys.stdout.buffer.flush()
    return EXIT_OK


def _cmd_selftest(_: argparse.Namespace) -> int:
    """`selftest`: exit 0 when every check passed."""
    return EXIT_OK if selftest() else EXIT_ERROR


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="secure_api_v1.py",
        description="Reference of the Secure API wire format v1 (deployed behaviour).",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("seal", help="stdin message -> outer token on stdout")
    p.add_argument("--key", metavar="PATH", required=True, help="key file (read whole)")
    p.add_argument("--code", default="put", help="3-character code (default put; unchecked)")
    p.add_argument(
        "--time", metavar="TIMESTR", help="20-character time field (default: now; unchecked)"
    )
    p.set_defaults(run=_cmd_seal)

    p = commands.add_parser("open", help="stdin token -> frame body bytes on stdout")
    p.add_argument("--key", metavar="PATH", required=True)
    p.set_defaults(run=_cmd_open)

    p = commands.add_parser("serve", help="run the deployed-style Flask server")
    p.add_argument("--key", metavar="PATH", required=True)
    p.add_argument("--port", metavar="N", type=int, required=True, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(run=_cmd_serve)

    p = commands.add_parser("put", help="store MESSAGE on the server")
    p.add_argument("--key", metavar="PATH", required=True)
    p.add_argument("--url", required=True)
    p.add_argument("message", metavar="MESSAGE")
    p.set_defaults(run=_cmd_put)

    p = commands.add_parser("get", help="print the server's stored message")
    p.add_argument("--key", metavar="PATH", required=True)
    p.add_argument("--url", required=True)
    p.set_defaults(run=_cmd_get)

    p = commands.add_parser(
        "raw-post", help="POST stdin as the JSON body; print STATUS BODY (body verbatim)"
    )
    p.add_argument("--url", required=True)
    p.set_defaults(run=_cmd_raw_post)

    p = commands.add_parser("selftest", help="run the built-in checks")
    p.set_defaults(run=_cmd_selftest)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns 0 on success, 3 for an insecure reply, 1 on any error."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except Exception as error:  # noqa: BLE001 - the CLI reports every failure the same way
        detail = f": {error}" if str(error) else ""
        print(f"secure_api_v1: error: {type(error).__name__}{detail}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
