# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/clients/firefox.py: drive a real, headless Firefox ESR through Marionette with
tessera-pkcs11.so and the simulated card of tests/testbed (run by tests/clients/firefox.sh).

The browser is driven the way a user uses it: PIN dialogs (the real commonDialog prompt) and the
client certificate dialog (pippki's clientauthask) are answered from chrome-context scripts
that fill and accept them; each PIN dialog is counted. The servers are `openssl s_server -Verify 1
-www`, whose page shows the TLS version, the signature the client made and the client certificate.

  firefox.py test OPTIONS    the integration test (TAP on stdout)
  firefox.py bench OPTIONS   start-to-page timings with client authentication (not a test)
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import marionette  # noqa: E402
from marionette import App, Tap, wait_until  # noqa: E402

PIN = "123456"

# Chrome-context script: answer the client certificate dialog (clientauthask.xhtml) with the
# certificate whose common name is the pref tessera.test.client_cert, "remember: once" (every
# new connection asks again), and note the certificates offered and the number of dialogs.
CERT_RESPONDER = r"""
const prefs = Services.prefs;
if (!globalThis.tesseraCertObserver) {   // once per process (the sandbox lives as long)
  prefs.clearUserPref("tessera.test.cert_dialogs");
  prefs.clearUserPref("tessera.test.offered");
  const observer = {
    observe(subject) {
      const doc = subject.ownerDocument;
      const win = doc.defaultView;
      const want = prefs.getStringPref("tessera.test.client_cert", "");
      const list = win.certArray || [];
      prefs.setIntPref("tessera.test.cert_dialogs",
                       prefs.getIntPref("tessera.test.cert_dialogs", 0) + 1);
      prefs.setStringPref("tessera.test.offered",
                          list.map(c => c.subjectName + " @ " + c.tokenName).join("\n"));
      let index = -1;
      for (let i = 0; i < list.length; i++) {
        if (list[i].commonName === want) index = i;
      }
      const menu = doc.getElementById("nicknames");
      win.setTimeout(() => {
        if (index < 0) {
          subject.cancelDialog();
          return;
        }
        menu.value = String(index);
        doc.getElementById("rememberSetting").value =
          String(Ci.nsIClientAuthRememberService.Once);
        subject.acceptDialog();
      }, 0);
    },
  };
  Services.obs.addObserver(observer, "cert-dialog-loaded");
  globalThis.tesseraCertObserver = observer;
}
return true;
"""

# Chrome-context: log the tokens of module arguments[0] out (as "Log out" in the device manager).
LOGOUT = r"""
return (async () => {
  const db = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
  for (const mod of await db.listModules()) {
    if (mod.name !== arguments[0]) continue;
    for (const slot of mod.slots) {
      try { slot.getToken().logout(); } catch (e) {}
    }
  }
  return true;
})();
"""

# Chrome-context: where the selected tab is: its document URI (about:neterror?... for error
# pages, which never reach "complete") and whether it still loads.
TAB_STATE = r"""
const b = gBrowser.selectedBrowser;
return { uri: b.documentURI ? b.documentURI.spec : "", busy: b.webProgress.isLoadingDocument };
"""


def card_ctl(ctl, command):
    """One control command to the card simulator (`cardsim ctl SOCKET COMMAND`); its answer."""
    cardsim = os.environ.get("CARDSIM", "cardsim")
    res = subprocess.run([cardsim, "ctl", ctl, command], stdin=subprocess.DEVNULL,
                         capture_output=True, timeout=30)
    return (res.stdout + res.stderr).decode(errors="replace").strip()


def is_error_page(uri, url):
    """Is URI Firefox's error page for URL? (about:neterror?e=...&u=URL&...)"""
    if not (uri.startswith("about:neterror?") or uri.startswith("about:certerror?")):
        return False
    return urllib.parse.parse_qs(uri.split("?", 1)[1]).get("u") == [url]


class Server:
    """openssl s_server -Verify 1 -www for one connection, on a free port."""

    def __init__(self, args, version, sigalgs, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        cmd = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % self.port,
               "-cert", args.server_cert, "-key", args.server_key, "-CAfile", args.ca,
               "-Verify", "1", "-www", "-naccept", "1", "-tls" + version.replace(".", "_"),
               "-client_sigalgs", sigalgs]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        ok = wait_until(lambda: self._listening() or self.proc.poll() is not None, 20)
        if not ok or self.proc.poll() is not None:
            raise RuntimeError("s_server did not start: " + self.text())

    def _listening(self):
        with open("/proc/net/tcp") as f:
            return any(":%04X 00000000:0000 0A" % self.port in line for line in f)

    def text(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait()
        self.log.close()


# A profile that asks for the client certificate every time and never leaves 127.0.0.1.
FIREFOX_PREFS = {
    "security.default_personal_cert": "Ask Every Time",
    "security.client_auth_certificate_default_remember_setting": 0,
    "browser.newtabpage.enabled": False,
    "browser.startup.page": 0,
    "browser.tabs.remote.autostart": True,
    "network.dns.disableIPv6": True,
    "network.http.speculative-parallel-limit": 0,
    "network.prefetch-next": False,
    "browser.urlbar.speculativeConnect.enabled": False,
}


class Firefox:
    """One Firefox with the responders installed."""

    def __init__(self, binary, profile, logdir, name):
        marionette.write_prefs(profile, FIREFOX_PREFS)
        self.app = App(binary, profile, os.path.join(logdir, name + ".log"),
                       env={"HOME": os.path.join(profile, "home"), "MOZ_CRASHREPORTER_DISABLE": "1"})
        self.m = self.app.m
        self.m.script(marionette.PIN_RESPONDER)
        self.m.script(CERT_RESPONDER)

    def pref_int(self, name):
        return self.m.script("return Services.prefs.getIntPref(arguments[0], 0);", [name])

    def pref_str(self, name):
        return self.m.script("return Services.prefs.getStringPref(arguments[0], '');", [name])

    def setup_auth(self, cn, pins):
        self.m.script('Services.prefs.setStringPref("tessera.test.client_cert", arguments[0]);'
                      'Services.prefs.setStringPref("tessera.test.pins", arguments[1]);'
                      'Services.prefs.setStringPref("tessera.test.pin", arguments[2]);'
                      'return true;', [cn, ",".join(pins[:-1]), pins[-1] if pins else ""])

    def load(self, url, want, timeout=90):
        """Navigate the tab to URL; wait until its page contains WANT, or an error page shows.
        Returns (state, page text)."""
        self.m.context("content")
        try:
            self.m.command("WebDriver:Navigate", {"url": url}, timeout=timeout)
        except marionette.MarionetteError as e:
            # an error page (a failed handshake, an untrusted server) is a result like a page
            if e.error not in ("unknown error", "insecure certificate"):
                raise

        def settled():
            st = self.m.script(TAB_STATE)
            if st["busy"]:
                return None
            if is_error_page(st["uri"], url):
                return st
            if st["uri"].startswith(url):
                src = self.page_text()
                if want in src:
                    return st
            return None
        st = wait_until(settled, timeout, step=0.3)
        if not st:
            st = self.m.script(TAB_STATE)
        return st, self.page_text()

    def page_text(self):
        try:
            self.m.context("content")
            return self.m.command("WebDriver:GetPageSource").get("value", "")
        except marionette.MarionetteError as e:
            return "(no page source: %s)" % e

    def modules(self):
        return self.m.script(marionette.LIST_MODULES)

    def stop(self):
        self.app.stop()


def pem_blocks(text):
    """The DER (base64, no line breaks) of every PEM certificate in TEXT."""
    out, cur = [], None
    for line in text.splitlines():
        line = line.strip()
        if line == "-----BEGIN CERTIFICATE-----":
            cur = []
        elif line == "-----END CERTIFICATE-----" and cur is not None:
            out.append("".join(cur))
            cur = None
        elif cur is not None:
            cur.append(line)
    return out


class Run:
    """The state of one test run: TAP, options, the card's certificates."""

    def __init__(self, args):
        self.tap = Tap()
        self.args = args
        self.certs = {s: marionette.cert_b64(os.path.join(args.card_dir, s + ".cert.der"))
                      for s in ("9a", "9c", "9d", "9e")}
        self.cn = {"9a": "Alice Example", "9c": "Alice Example signing"}

    def log(self, name):
        return os.path.join(self.args.logdir, name)

    def handshake(self, ff, slot, version, sigalgs, scheme, pins, dialogs, what=""):
        """One page over TLS VERSION with client authentication by the card's SLOT key, the PIN
        dialogs answered with PINS; asserts the page, the certificate, the signature scheme and
        that exactly DIALOGS PIN dialogs were shown. Returns the page."""
        tap = self.tap
        label = "TLS %s, %s key%s" % (version, slot.upper(), what)
        srv = Server(self.args, version, sigalgs, self.log("s_server-%s-%s.log" % (slot, version)))
        before = pin_count(ff)
        asked = ff.pref_int("tessera.test.cert_dialogs")
        ff.setup_auth(self.cn[slot], pins)
        t = time.monotonic()
        st, page = ff.load("https://127.0.0.1:%d/" % srv.port, "Peer signature type")
        took = time.monotonic() - t
        after = pin_count(ff)
        srv.stop()
        loaded = st["uri"].startswith("https://") and re.search(r"Protocol *: TLSv%s$" % re.escape(version), page, re.M)
        tap.ok(loaded, "%s: the page of openssl s_server -Verify 1 loads (%.1f s)" % (label, took),
               "%s\n%s\n--- server:\n%s" % (st, page[-1500:], srv.text()[-1500:]))
        offered = ff.pref_str("tessera.test.offered")
        tap.ok(ff.pref_int("tessera.test.cert_dialogs") == asked + 1 and
               ("CN=%s,O=Tessera Test @ %s" % (self.cn[slot], card_token(ff))) in offered,
               "%s: Firefox's certificate dialog offers the card's %s certificate; chosen"
               % (label, slot.upper()), offered)
        peer = pem_blocks(page)
        tap.ok(bool(peer) and peer[-1] == self.certs[slot],
               "%s: the server received the card's %s certificate" % (label, slot.upper()))
        tap.ok(re.search(r"^Peer signature type: %s$" % re.escape(scheme), page, re.M),
               "%s: the server verified a %s signature made on the card" % (label, scheme))
        tap.ok(after - before == dialogs, "%s: %d PIN dialog(s) (counted: %d)"
               % (label, dialogs, after - before), "last prompt: %s" % last_prompt(ff))
        return page


def pin_count(ff):
    return marionette.pin_dialogs(ff.m)


def last_prompt(ff):
    return marionette.last_prompt(ff.m)


def tessera_slots(ff):
    return [x for x in ff.modules() if x["module"] == "tessera"]


SLOT_NOT_PRESENT = 1   # nsIPKCS11Slot.status (0 disabled, 1 not present, 3 not logged in, 4 logged in)


def card_token(ff):
    """The name of the card's token while Firefox sees the card present ("" when not)."""
    tok = [x["token"] for x in tessera_slots(ff) if x["token"] and x["status"] > SLOT_NOT_PRESENT]
    return tok[0] if tok else ""


def card_ready(ff, token, n):
    """The card present again and its N certificates listed."""
    return card_token(ff) == token and len(ff.m.script(marionette.LIST_CERTS, [token])) == n


def check_listing(run, ff, how):
    """The module, its token and the card's four certificates, with no PIN dialog."""
    tap = run.tap
    slots = tessera_slots(ff)
    tap.ok(slots and all(x["lib"] == run.args.module for x in slots),
           "%s: Firefox lists the tessera module (%s)" % (how, run.args.module), slots)
    token = card_token(ff)
    tap.ok(token.startswith("Alice Example #"), "%s: with the card's token \"%s\"" % (how, token),
           slots)
    tap.ok(not any(x["loggedIn"] for x in slots), "%s: not logged in" % how)
    certs = ff.m.script(marionette.LIST_CERTS, [token]) if token else []
    got = sorted(c["der"] for c in certs)
    tap.ok(got == sorted(run.certs.values()),
           "%s: the certificate manager shows the card's 4 certificates, byte for byte" % how,
           [c["subject"] for c in certs])
    tap.ok(pin_count(ff) == 0, "%s: listing them asked no PIN" % how)
    return token


def removal(run, ff):
    """The card pulled while Firefox runs, then put back."""
    tap = run.tap
    token = card_token(ff)
    t = time.monotonic()
    card_ctl(run.args.ctl, "remove")
    gone = wait_until(lambda: not card_token(ff) and not ff.m.script(marionette.LIST_CERTS, [token]), 30)
    tap.ok(gone, "card removed: Firefox's slot shows no token, no certificate (%.1f s)"
           % (time.monotonic() - t), tessera_slots(ff))
    srv = Server(run.args, "1.3", "rsa_pss_rsae_sha256", run.log("s_server-removed.log"))
    before = pin_count(ff)
    ff.setup_auth(run.cn["9a"], [PIN])
    t = time.monotonic()
    st, page = ff.load("https://127.0.0.1:%d/" % srv.port, "Peer signature type", timeout=60)
    took = time.monotonic() - t
    srv.stop()
    tap.ok(is_error_page(st["uri"], "https://127.0.0.1:%d/" % srv.port),
           "card removed: the handshake fails with an error page, no hang (%.1f s)" % took, st)
    tap.ok("peer did not return a certificate" in srv.text(),
           "card removed: Firefox sent no certificate", srv.text()[-1500:])
    tap.ok(pin_count(ff) == before, "card removed: no PIN dialog")
    t = time.monotonic()
    card_ctl(run.args.ctl, "insert")
    back = wait_until(lambda: card_ready(ff, token, 4), 30)
    tap.ok(back, "card re-inserted: the token and its 4 certificates are back (%.1f s)"
           % (time.monotonic() - t), tessera_slots(ff))
    run.handshake(ff, "9a", "1.3", "rsa_pss_rsae_sha256", "RSA-PSS", [PIN], 1,
                  " after re-insertion (a new login)")


def phase_modutil(run):
    """Firefox with the module added by modutil: listing, TLS with 9A and 9C, a wrong PIN,
    card removal."""
    tap = run.tap
    ff = Firefox(run.args.firefox, run.args.profile, run.args.logdir, "firefox-modutil")
    try:
        tap.diag("Firefox (modutil profile) ready for Marionette %.1f s after start"
                 % (ff.app.t_ready - ff.app.t_start))
        check_listing(run, ff, "modutil")
        run.handshake(ff, "9a", "1.3", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384", "RSA-PSS", [PIN], 1,
                      " (the login)")
        run.handshake(ff, "9a", "1.2", "RSA+SHA256:RSA+SHA384", "RSA", [PIN], 0, " (logged in)")
        run.handshake(ff, "9c", "1.3", "ecdsa_secp256r1_sha256", "ECDSA", [PIN], 1,
                      " (PIN-always: its own PIN)")
        run.handshake(ff, "9c", "1.3", "ecdsa_secp256r1_sha256", "ECDSA", [PIN], 1,
                      " again (a PIN for every signature)")
        run.handshake(ff, "9c", "1.2", "ECDSA+SHA256", "ECDSA", [PIN], 1, " (PIN-always)")
        shot = run.log("firefox-page.png")
        ff.m.screenshot(shot)
        with open(shot, "rb") as f:
            png = f.read()
        tap.ok(png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 1000,
               "a screenshot of the server's page is saved with the test logs (%s, %d bytes)"
               % (shot, len(png)))
        ff.m.script(LOGOUT, ["tessera"])
        tap.ok(not any(x["loggedIn"] for x in tessera_slots(ff)), "log out of the token")
        run.handshake(ff, "9a", "1.3", "rsa_pss_rsae_sha256", "RSA-PSS", ["999999", PIN], 2,
                      " (a wrong PIN, then the right one)")
        removal(run, ff)
    finally:
        ff.stop()


def phase_policy(run):
    """Firefox from a copy of its install folder whose distribution/policies.json adds the
    module (SecurityDevices), on a profile that never saw modutil."""
    tap = run.tap
    ff = Firefox(os.path.join(run.args.policy_install, "firefox-esr"), run.args.policy_profile,
                 run.args.logdir, "firefox-policy")
    try:
        status = ff.m.script("return Services.policies.status == Services.policies.ACTIVE;")
        tap.ok(status, "policies.json: Firefox's enterprise policies are active")
        check_listing(run, ff, "policies.json")
        run.handshake(ff, "9a", "1.3", "rsa_pss_rsae_sha256", "RSA-PSS", [PIN], 1,
                      " (module from policies.json)")
    finally:
        ff.stop()


def run_test(args):
    run = Run(args)
    for phase in (phase_modutil, phase_policy):
        try:
            phase(run)
        except Exception:  # a crashed driver is one failure, with its story
            run.tap.ok(False, "%s ran to its end" % phase.__name__, traceback.format_exc())
    return run.tap.failed


def run_bench(args):
    """Start Firefox, load a page with client authentication by 9A (PIN dialog answered), quit;
    RUNS times. Prints the times and their medians (start to page; start to Marionette)."""
    totals, readies = [], []
    for i in range(args.runs):
        srv = Server(args, "1.3", "rsa_pss_rsae_sha256", os.path.join(args.logdir, "bench-s.log"))
        t0 = time.monotonic()
        ff = Firefox(args.firefox, args.profile, args.logdir, "bench")
        try:
            ff.setup_auth("Alice Example", [PIN])
            st, page = ff.load("https://127.0.0.1:%d/" % srv.port, "Peer signature type")
            t1 = time.monotonic()
            ok = re.search(r"^Peer signature type: RSA-PSS$", page, re.M)
        finally:
            ff.stop()
            srv.stop()
        readies.append(ff.app.t_ready - t0)
        totals.append(t1 - t0)
        print("run %d: start to page %.2f s (start to Marionette %.2f s)%s"
              % (i + 1, totals[-1], readies[-1], "" if ok else " PAGE FAILED"), flush=True)
        if not ok:
            return 1
    print("median of %d: start to page with client authentication %.2f s; start to Marionette %.2f s"
          % (args.runs, statistics.median(totals), statistics.median(readies)), flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("test", "bench"))
    ap.add_argument("--firefox", default="/usr/lib/firefox-esr/firefox-esr")
    ap.add_argument("--module", required=True, help="tessera-pkcs11.so as modutil added it")
    ap.add_argument("--profile", required=True, help="profile with the module (modutil)")
    ap.add_argument("--policy-install", help="the copy of Firefox's folder with policies.json")
    ap.add_argument("--policy-profile", help="a profile without the module")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--server-cert", required=True)
    ap.add_argument("--server-key", required=True)
    ap.add_argument("--card-dir", required=True)
    ap.add_argument("--ctl", required=True, help="the card simulator's control socket")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if args.mode == "bench":
        sys.exit(run_bench(args))
    sys.exit(1 if run_test(args) else 0)


if __name__ == "__main__":
    main()
