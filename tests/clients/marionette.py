# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/clients/marionette.py: a minimal Marionette client (python3 standard library only).

Marionette is Gecko's remote protocol (Firefox, Thunderbird): a TCP stream of messages, each
"LENGTH:JSON". The server greets with {"applicationType": ..., "marionetteProtocol": 3}; a command
is [0, id, name, params], its answer [1, id, error, result]. Started with
`--marionette --remote-allow-system-access` and the profile pref marionette.port = 0, the
application picks a free port and writes it to PROFILE/MarionetteActivePort.

Also here, what both application drivers share: the profile's prefs, starting and stopping the
application, TAP output, and the chrome-context script that answers PIN dialogs like a user
(the real dialog, filled and accepted) and counts them.
"""
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import time


class MarionetteError(Exception):
    def __init__(self, error, message=""):
        super().__init__("%s: %s" % (error, message))
        self.error = error


class Marionette:
    def __init__(self, port, timeout=60.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.msgid = 0
        hello = self._read()
        if hello.get("marionetteProtocol") != 3:
            raise MarionetteError("protocol", "unexpected greeting %r" % hello)
        self.application = hello.get("applicationType")

    def _read(self):
        while b":" not in self.buf:
            self._fill()
        head, _, rest = self.buf.partition(b":")
        length = int(head)
        self.buf = rest
        while len(self.buf) < length:
            self._fill()
        msg, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(msg)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise MarionetteError("disconnected", "the application closed the connection")
        self.buf += chunk

    def command(self, name, params=None, timeout=60.0):
        """Send one command and return its result (raises MarionetteError on an error answer)."""
        self.msgid += 1
        data = json.dumps([0, self.msgid, name, params or {}]).encode()
        self.sock.settimeout(timeout)
        self.sock.sendall(str(len(data)).encode() + b":" + data)
        while True:
            msg = self._read()
            if msg[0] == 1 and msg[1] == self.msgid:
                break
        if msg[2] is not None:
            err = msg[2]
            raise MarionetteError(err.get("error", "?"), err.get("message", ""))
        return msg[3]

    def new_session(self):
        # "none": navigation returns at once; the drivers wait for what they need themselves
        # (a PIN dialog makes a navigation return early, an error page never "completes").
        caps = {"capabilities": {"alwaysMatch": {"pageLoadStrategy": "none",
                                                  "acceptInsecureCerts": False}}}
        return self.command("WebDriver:NewSession", caps)

    def context(self, which):
        self.command("Marionette:SetContext", {"value": which})

    def script(self, source, args=None, chrome=True, timeout=60.0):
        """Run SOURCE (a function body; `arguments` holds ARGS) in the chrome or content context."""
        self.context("chrome" if chrome else "content")
        res = self.command("WebDriver:ExecuteScript",
                           {"script": source, "args": args or [], "sandbox": "tessera"},
                           timeout=timeout)
        return res.get("value") if isinstance(res, dict) else res

    def async_script(self, source, args=None, chrome=True, timeout=60.0):
        """The same, asynchronous: SOURCE calls arguments[arguments.length - 1](value)."""
        self.context("chrome" if chrome else "content")
        self.command("WebDriver:SetTimeouts", {"script": int(timeout * 1000)})
        res = self.command("WebDriver:ExecuteAsyncScript",
                           {"script": source, "args": args or [], "sandbox": "tessera"},
                           timeout=timeout + 10)
        return res.get("value") if isinstance(res, dict) else res

    def screenshot(self, path):
        self.context("content")
        res = self.command("WebDriver:TakeScreenshot", {"full": True})
        data = res.get("value") if isinstance(res, dict) else res
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def quit(self):
        try:
            self.command("Marionette:Quit", {"flags": ["eForceQuit"]}, timeout=30)
        except (MarionetteError, OSError):
            pass
        self.sock.close()


# Profile preferences both applications get: Marionette on a port of its own choosing, nothing
# that reaches the network or shows first-run pages.
BASE_PREFS = {
    "marionette.port": 0,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "app.update.disabledForTesting": True,
    "app.normandy.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "security.OCSP.enabled": 0,
    "security.remote_settings.crlite_filters.enabled": False,
    "services.settings.server": "http://127.0.0.1:9/",
    "network.proxy.type": 0,
    "dom.disable_open_during_load": False,
    "mail.shell.checkDefaultClient": False,
    "mailnews.start_page.enabled": False,
    "mail.provider.suppress_dialog_on_startup": True,
    "mail.rights.version": 1,
}


def write_prefs(profile, extra=None):
    prefs = dict(BASE_PREFS)
    prefs.update(extra or {})
    with open(os.path.join(profile, "user.js"), "w") as f:
        for k, v in prefs.items():
            f.write("user_pref(%s, %s);\n" % (json.dumps(k), json.dumps(v)))


class App:
    """A Gecko application started headless with Marionette on PROFILE."""

    def __init__(self, binary, profile, log_path, env=None, args=None, start_timeout=120.0):
        self.profile = profile
        port_file = os.path.join(profile, "MarionetteActivePort")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.t_start = time.monotonic()
        self.log = open(log_path, "ab")
        full_env = dict(os.environ)
        full_env.update(env or {})
        cmd = [binary, "--headless", "--marionette", "--remote-allow-system-access",
               "--no-remote", "--profile", profile] + (args or [])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=full_env,
                                     start_new_session=True)
        deadline = self.t_start + start_timeout
        port = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise MarionetteError("exited", "%s exited with %s at start" % (binary, self.proc.returncode))
            try:
                with open(port_file) as f:
                    port = int(f.read().strip() or "0")
            except (OSError, ValueError):
                port = None
            if port:
                break
            time.sleep(0.1)
        if not port:
            self.kill()
            raise MarionetteError("timeout", "no Marionette port after %ds" % start_timeout)
        self.m = Marionette(port)
        self.m.new_session()
        self.t_ready = time.monotonic()

    def kill(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
            self.proc.wait()

    def stop(self, timeout=60.0):
        """Quit through Marionette; kill the process group if it does not go."""
        if getattr(self, "m", None) is not None:
            self.m.quit()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()
        self.log.close()


# Chrome-context script: answer every PIN dialog of the application as a user would, with the PIN
# held in the pref tessera.test.pin (or the next of tessera.test.pins), and count the dialogs in tessera.test.pin_dialogs; the text of
# the last one is kept in tessera.test.pin_prompt. The dialog is the real one (commonDialog,
# "common-dialog-loaded"); an empty tessera.test.pin cancels it. Any other common dialog (an
# alert, a question) is noted in tessera.test.other_dialogs and accepted.
PIN_RESPONDER = r"""
const prefs = Services.prefs;
if (!globalThis.tesseraPinObserver) {   // once per process (the sandbox lives as long)
  for (const p of ["tessera.test.pin_dialogs", "tessera.test.other_dialogs",
                   "tessera.test.pin_prompt", "tessera.test.pins"]) {
    prefs.clearUserPref(p);   // a profile's prefs.js keeps them from an earlier run
  }
  const observer = {
    observe(subject, topic) {
      const win = subject;
      const doc = win.document;
      const ui = win.Dialog ? win.Dialog.ui : null;
      const pw = doc.getElementById("password1Textbox");
      if (!pw || (ui && ui.password1Container && ui.password1Container.hidden)) {
        // not a password prompt: an alert or a question; noted, then answered with its default
        const body = doc.getElementById("infoBody");
        const seen = prefs.getStringPref("tessera.test.other_dialogs", "");
        prefs.setStringPref("tessera.test.other_dialogs",
                            seen + (body ? body.textContent : "?") + "\n");
        win.setTimeout(() => doc.getElementById("commonDialog").acceptDialog(), 0);
        return;
      }
      const n = prefs.getIntPref("tessera.test.pin_dialogs", 0) + 1;
      prefs.setIntPref("tessera.test.pin_dialogs", n);
      const info = doc.getElementById("infoBody");
      prefs.setStringPref("tessera.test.pin_prompt", info ? info.textContent : "");
      // tessera.test.pins: PINs for the next dialogs, comma-separated; then tessera.test.pin
      let pin = prefs.getStringPref("tessera.test.pin", "");
      const queued = prefs.getStringPref("tessera.test.pins", "");
      if (queued !== "") {
        const rest = queued.split(",");
        pin = rest.shift();
        prefs.setStringPref("tessera.test.pins", rest.join(","));
      }
      const dialog = doc.getElementById("commonDialog");
      win.setTimeout(() => {
        if (pin === "") {
          dialog.cancelDialog();
        } else {
          pw.value = pin;
          dialog.acceptDialog();
        }
      }, 0);
    },
  };
  Services.obs.addObserver(observer, "common-dialog-loaded");
  globalThis.tesseraPinObserver = observer;   // kept alive by this sandbox
}
return true;
"""


def set_pin(m, pin):
    """The PIN the responder types next ("" cancels)."""
    m.script('Services.prefs.setStringPref("tessera.test.pin", arguments[0]); return true;', [pin])


def pin_dialogs(m):
    return m.script('return Services.prefs.getIntPref("tessera.test.pin_dialogs", 0);')


def last_prompt(m):
    return m.script('return Services.prefs.getStringPref("tessera.test.pin_prompt", "");')


# Chrome-context: the PKCS #11 modules and their slots and tokens, as the application sees them.
LIST_MODULES = r"""
return (async () => {
  const db = Cc["@mozilla.org/security/pkcs11moduledb;1"].getService(Ci.nsIPKCS11ModuleDB);
  const out = [];
  for (const mod of await db.listModules()) {
    for (const slot of mod.slots) {
      let token = null;
      try { token = slot.getToken(); } catch (e) { token = null; }
      out.push({ module: mod.name, lib: mod.libName || "", slot: slot.name, status: slot.status,
                 token: token ? token.tokenName : "",
                 loggedIn: token ? token.isLoggedIn : false,
                 hasPassword: token ? token.hasPassword : false });
    }
  }
  return out;
})();
"""

# Chrome-context: the certificates of token arguments[0] (subject, token, DER in base64).
LIST_CERTS = r"""
return (async () => {
  const db = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
  const certs = await db.getCerts();
  return certs.filter(c => c.tokenName === arguments[0])
              .map(c => ({ subject: c.subjectName, cn: c.commonName, der: c.getBase64DERString() }));
})();
"""

def cert_b64(path):
    """A DER file in base64 (as nsIX509Cert.getBase64DERString gives it)."""
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


class Tap:
    """TAP lines; the shell side renumbers them (tests/clients/common.sh clients_testbed)."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if cond:
            print("ok %d - %s" % (self.n, desc), flush=True)
        else:
            self.failed += 1
            print("not ok %d - %s" % (self.n, desc), flush=True)
            if diag:
                for line in str(diag).splitlines()[:40]:
                    print("# " + line, flush=True)
        return cond

    def skip(self, desc, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, desc, reason), flush=True)

    def diag(self, text):
        for line in str(text).splitlines():
            print("# " + line, flush=True)

    def done(self):
        print("1..%d" % self.n, flush=True)
        sys.exit(0)


def wait_until(fn, timeout, step=0.2):
    """Call FN until it returns something true or TIMEOUT seconds pass; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)
