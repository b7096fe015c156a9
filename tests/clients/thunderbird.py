# SPDX-License-Identifier: LGPL-2.1-or-later
"""tests/clients/thunderbird.py: drive a real, headless Thunderbird through Marionette with
tessera-pkcs11.so and the simulated card of tests/testbed (run by tests/clients/thunderbird.sh).

No network: a Local Folders account and an identity on a server of type "none" (it never
connects). S/MIME the way a user does it:
- decrypt: messages that openssl cms -encrypt made for the 9D certificate (RSA) and for a P-256
  certificate (ECDH) are copied into Local Folders/Inbox and shown in the message pane
  (Thunderbird decrypts them with the card);
- sign: the compose window, with the identity's S/MIME signing certificate set to 9A or 9C,
  "Send Later" (File > Send Later): the signed message lands in Local Folders/Unsent Messages,
  an mbox file that openssl cms -verify checks.
PIN dialogs (the real commonDialog prompt) are answered and counted from a chrome-context observer.

  thunderbird.py OPTIONS     TAP on stdout
"""
import argparse
import email
import os
import re
import subprocess
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import marionette  # noqa: E402
from marionette import App, Tap, wait_until  # noqa: E402

PIN = "123456"

TB_PREFS = {
    "mail.biff.play_sound": False,
    "mail.biff.show_alert": False,
    "mail.startup.enabledMailCheckOnce": True,
    "mailnews.start_page_override.mstone": "ignore",
    "mail.spotlight.firstRunDone": True,
    "mail.winsearch.firstRunDone": True,
    "mail.compose.warn_public_recipients.threshold": 1000,
    "mail.smime.remind_encryption_possible": False,
    "mail.e2ee.auto_enable": False,
    "mail.warn_on_send_accel_key": False,
    "app.donation.eoy.version.viewed": 999,
    "mail.inappnotifications.enabled": False,
    # The global search indexer (gloda) would decrypt the new message in the background, on the
    # card, at a time of its choosing; off, so the decryption (and its PIN dialog) is the
    # message pane's.
    "mailnews.database.global.indexer.enabled": False,
}

# Chrome-context: Local Folders with an Inbox, and Alice's identity on a server of type "none"
# (it holds no mail and never connects). Returns the identity's key.
SETUP_ACCOUNTS = r"""
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const am = MailServices.accounts;
let local = null;
try { local = am.localFoldersServer; } catch (e) { local = null; }   // throws when there is none
if (!local) am.createLocalMailAccount();
const root = am.localFoldersServer.rootFolder;
if (!root.containsChildNamed("Inbox")) root.createSubfolder("Inbox", null);
const server = am.createIncomingServer("alice", "alice.invalid", "none");
const id = am.createIdentity();
id.email = "alice@example.org";
id.fullName = "Alice Example";
id.doFcc = false;
id.signMail = true;
const account = am.createAccount();
account.incomingServer = server;
account.addIdentity(id);
return id.key;
"""

# Chrome-context: the identity's S/MIME certificates, chosen as in Account Settings >
# End-To-End Encryption: arguments[1] signs, arguments[2] encrypts (commonName on the card).
SET_CERTS = r"""
return (async () => {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const db = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
  const certs = (await db.getCerts()).filter(c => c.tokenName === arguments[3]);
  const sign = certs.find(c => c.commonName === arguments[1]);
  const enc = certs.find(c => c.commonName === arguments[2]);
  if (!sign || !enc) return false;
  const id = MailServices.accounts.getIdentity(arguments[0]);
  id.setUnicharAttribute("signing_cert_name", sign.displayName);
  id.setCharAttribute("signing_cert_dbkey", sign.dbKey);
  id.setUnicharAttribute("encryption_cert_name", enc.displayName);
  id.setCharAttribute("encryption_cert_dbkey", enc.dbKey);
  id.signMail = true;
  return true;
})();
"""

# Chrome-context: copy the message file arguments[0] into Local Folders/Inbox.
IMPORT_MESSAGE = r"""
return (async () => {
  const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
  const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
  const file = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
  file.initWithPath(arguments[0]);
  const status = await new Promise(resolve => {
    MailServices.copy.copyFileMessage(file, inbox, null, false, 0, "", {
      QueryInterface: ChromeUtils.generateQI(["nsIMsgCopyServiceListener"]),
      onStartCopy() {}, onProgress() {}, setMessageKey() {}, getMessageId() { return ""; },
      onStopCopy(st) { resolve(st); },
    }, null);
  });
  return { status, total: inbox.getTotalMessages(false) };
})();
"""

# Chrome-context: show message arguments[0] (by date order) of Local Folders/Inbox in the 3-pane
# window.
SHOW_MESSAGE = r"""
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const win = Services.wm.getMostRecentWindow("mail:3pane");
const inbox = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Inbox");
const about3Pane = win.gTabmail.currentAbout3Pane;
about3Pane.displayFolder(inbox.URI);
if (!about3Pane.gDBView || about3Pane.gDBView.rowCount <= arguments[0]) return false;
about3Pane.gDBView.sort(Ci.nsMsgViewSortType.byId, Ci.nsMsgViewSortOrder.ascending);
about3Pane.threadTree.selectedIndex = arguments[0];
return about3Pane.threadTree.selectedIndex == arguments[0];
"""

# Chrome-context: what the message pane shows: the text, and the S/MIME state in the header.
MESSAGE_PANE = r"""
const win = Services.wm.getMostRecentWindow("mail:3pane");
const aboutMessage = win.gTabmail.currentAbout3Pane.messageBrowser.contentWindow;
const b = aboutMessage.getMessagePaneBrowser();
const doc = aboutMessage.document;
const box = doc.getElementById("cryptoBox");
const icon = doc.getElementById("encryptedHdrIcon");
return { uri: b.currentURI ? b.currentURI.spec : "",
         text: b.contentDocument && b.contentDocument.body ? b.contentDocument.body.textContent : "",
         tech: box ? (box.getAttribute("tech") || "") : "",
         encrypted: icon && !icon.hidden ? (icon.getAttribute("src") || "") : "" };
"""

# Chrome-context: open the compose window for identity arguments[0], subject arguments[1],
# plain-text body arguments[2].
COMPOSE = r"""
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const params = Cc["@mozilla.org/messengercompose/composeparams;1"]
  .createInstance(Ci.nsIMsgComposeParams);
const fields = Cc["@mozilla.org/messengercompose/composefields;1"]
  .createInstance(Ci.nsIMsgCompFields);
fields.to = "Bob <bob@example.org>";
fields.subject = arguments[1];
fields.body = arguments[2];
params.type = Ci.nsIMsgCompType.New;
params.format = Ci.nsIMsgCompFormat.PlainText;
params.composeFields = fields;
params.identity = MailServices.accounts.getIdentity(arguments[0]);
MailServices.compose.OpenComposeWindowWithParams(null, params);
return true;
"""

# Chrome-context: the compose window once loaded: is S/MIME signing on? Then File > Send Later,
# from the window's own event loop (a PIN dialog is modal: this script must not wait for it).
COMPOSE_STATE = r"""
const w = Services.wm.getMostRecentWindow("msgcompose");
if (!w || !w.gLoadingComplete) return null;
return { signed: w.gSendSigned, pgp: w.gSelectedTechnologyIsPGP };
"""
SEND_LATER = r"""
const w = Services.wm.getMostRecentWindow("msgcompose");
w.setTimeout(() => w.goDoCommand("cmd_sendLater"), 0);
return true;
"""

# Chrome-context: messages in Local Folders/Unsent Messages; is a compose window open?
OUTBOX = r"""
const { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
const f = MailServices.accounts.localFoldersServer.rootFolder.getChildNamed("Unsent Messages");
return { total: f.getTotalMessages(false), path: f.filePath.path,
         composing: !!Services.wm.getMostRecentWindow("msgcompose") };
"""


def other_dialogs(m):
    return m.script('return Services.prefs.getStringPref("tessera.test.other_dialogs", "");')


def mbox_messages(path):
    """The raw messages of an mbox file (the "From " separator lines dropped)."""
    with open(path, "rb") as f:
        data = f.read()
    parts = re.split(rb"(?m)^From [^\n]*\n", data)
    return [p for p in parts if p.strip()]


class Run:
    def __init__(self, args):
        self.args = args
        self.tap = Tap()
        self.tb = None

    def log(self, name):
        return os.path.join(self.args.logdir, name)

    def start(self):
        marionette.write_prefs(self.args.profile, TB_PREFS)
        self.tb = App(self.args.thunderbird, self.args.profile, self.log("thunderbird.log"),
                      env={"HOME": os.path.join(self.args.profile, "home"),
                           "MOZ_CRASHREPORTER_DISABLE": "1"})
        self.m = self.tb.m
        self.m.script(marionette.PIN_RESPONDER)
        marionette.set_pin(self.m, PIN)
        self.tap.diag("Thunderbird ready for Marionette %.1f s after start"
                      % (self.tb.t_ready - self.tb.t_start))

    def pins(self):
        return marionette.pin_dialogs(self.m)

    def listing(self):
        tap = self.tap
        slots = [x for x in self.m.script(marionette.LIST_MODULES) if x["module"] == "tessera"]
        tokens = [x["token"] for x in slots if x["token"] and x["status"] > 1]
        tap.ok(len(tokens) == 1 and tokens[0].startswith("Alice Example #"),
               "Thunderbird sees the card's token through tessera (%s)" % (tokens or "-"), slots)
        self.token = tokens[0] if tokens else ""
        certs = self.m.script(marionette.LIST_CERTS, [self.token])
        want = sorted(marionette.cert_b64(os.path.join(self.args.card_dir, s + ".cert.der"))
                      for s in ("9a", "9c", "9d", "9e", "82"))
        tap.ok(sorted(c["der"] for c in certs) == want,
               "its certificate manager shows the card's 5 certificates, byte for byte",
               [c["subject"] for c in certs])
        tap.ok(self.pins() == 0, "no PIN dialog for listing them")

    def decrypt(self, path, secret_path, what, index, dialogs):
        """Copy the message PATH into the Inbox (its INDEX-th) and show it: decrypted on the card
        with DIALOGS PIN dialogs."""
        tap = self.tap
        res = self.m.script(IMPORT_MESSAGE, [path])
        tap.ok(res and res["status"] == 0 and res["total"] == index + 1,
               "the message openssl cms -encrypt made for %s is in Local Folders/Inbox" % what, res)
        before = self.pins()
        t = time.monotonic()
        shown = wait_until(lambda: self.m.script(SHOW_MESSAGE, [index]), 30)
        with open(secret_path) as f:
            secret = f.read().strip()

        def decrypted():
            pane = self.m.script(MESSAGE_PANE)
            return pane if secret in pane["text"] else None
        pane = wait_until(decrypted, 90, step=0.5) if shown else None
        took = time.monotonic() - t
        if not pane:
            pane = self.m.script(MESSAGE_PANE)
        tap.ok(secret in pane["text"], "%s: the message pane shows it decrypted on the card "
               "(%.1f s): \"%s\"" % (what, took, secret), pane)
        tap.ok(pane["tech"] == "S/MIME" and "encrypted-ok" in pane["encrypted"],
               "%s: the message header says S/MIME, encrypted" % what, pane)
        tap.ok(self.pins() - before == dialogs, "%s: %d PIN dialog(s) (counted: %d)"
               % (what, dialogs, self.pins() - before), marionette.last_prompt(self.m))

    def sign(self, slot, cn, n, dialogs, what):
        """Compose and Send Later a message signed with the card's SLOT key (certificate CN);
        check it with openssl cms -verify and the PIN dialogs counted."""
        tap = self.tap
        label = "S/MIME signature with %s%s" % (slot.upper(), what)
        ok = self.m.script(SET_CERTS, [self.identity, cn, "Alice Example encryption", self.token])
        tap.ok(ok, "%s: the identity's signing certificate is the card's %s" % (label, slot.upper()))
        outbox = self.m.script(OUTBOX)
        body = "Signed with the card's %s key, message %d: %s" % (
            slot.upper(), n, os.urandom(6).hex())
        before = self.pins()
        t = time.monotonic()
        self.m.script(COMPOSE, [self.identity, "Signed with %s (%d)" % (slot.upper(), n), body])
        state = wait_until(lambda: self.m.script(COMPOSE_STATE), 60)
        tap.ok(state and state["signed"] and not state["pgp"],
               "%s: the compose window opens with S/MIME signing on" % label, state)
        if not state:
            return
        self.m.script(SEND_LATER)

        def stored():
            o = self.m.script(OUTBOX)
            return o if o["total"] == outbox["total"] + 1 and not o["composing"] else None
        done = wait_until(lambda: stored() or other_dialogs(self.m), 90, step=0.3)
        took = time.monotonic() - t
        tap.ok(done and isinstance(done, dict),
               "%s: Send Later stores the message in Local Folders/Unsent Messages (%.1f s)"
               % (label, took), "dialogs: %s" % other_dialogs(self.m))
        tap.ok(self.pins() - before == dialogs, "%s: %d PIN dialog(s) (counted: %d)"
               % (label, dialogs, self.pins() - before), marionette.last_prompt(self.m))
        if not isinstance(done, dict):
            return
        msgs = mbox_messages(done["path"])
        raw = msgs[-1] if msgs else b""
        self.verify(label, slot, raw, body, n)

    def verify(self, label, slot, raw, body, n):
        tap = self.tap
        path = self.log("sent-%s-%d.eml" % (slot, n))
        with open(path, "wb") as f:
            f.write(raw)
        signer, content = path + ".signer.pem", path + ".content"
        res = subprocess.run(["openssl", "cms", "-verify", "-in", path, "-inform", "SMIME",
                              "-CAfile", self.args.ca, "-signer", signer, "-out", content],
                             capture_output=True, timeout=60)
        tap.ok(res.returncode == 0 and b"multipart/signed" in raw,
               "%s: openssl cms -verify accepts the multipart/signed message (%s)" % (label, path),
               res.stderr.decode(errors="replace"))
        if res.returncode != 0:
            return
        got = subprocess.run(["openssl", "x509", "-in", signer, "-outform", "DER"],
                             capture_output=True).stdout
        with open(os.path.join(self.args.card_dir, slot + ".cert.der"), "rb") as f:
            want = f.read()
        tap.ok(got == want, "%s: the signer is the card's %s certificate" % (label, slot.upper()))
        with open(content, "rb") as f:
            part = email.message_from_bytes(f.read())
        text = (part.get_payload(decode=True) or b"").decode(errors="replace")
        tap.ok(body in text.replace("\r\n", "\n").replace(" \n", " "),
               "%s: the signed content is the text written in the compose window" % label, text)

    def run(self):
        self.start()
        try:
            self.listing()
            self.identity = self.m.script(SETUP_ACCOUNTS)
            self.tap.ok(bool(self.identity), "a Local Folders account and Alice's identity "
                        "(no server, no network)")
            self.decrypt(self.args.encrypted, self.args.secret, "RSA 9D", 0, 1)
            self.decrypt(self.args.encrypted_ec, self.args.secret_ec, "ECDH P-256 82", 1, 0)
            self.sign("9a", "Alice Example", 1, 0, " (logged in: no PIN)")
            self.sign("9c", "Alice Example signing", 2, 1, " (PIN-always: its own PIN)")
            self.sign("9c", "Alice Example signing", 3, 1, " again (a PIN for every signature)")
            others = other_dialogs(self.m)
            self.tap.ok(others == "", "no other dialog (no error) came up", others)
        finally:
            self.tb.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--thunderbird", default="/usr/lib/thunderbird/thunderbird-bin")
    ap.add_argument("--profile", required=True, help="profile with the module (modutil)")
    ap.add_argument("--logdir", required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--card-dir", required=True)
    ap.add_argument("--encrypted", required=True, help="S/MIME message encrypted to 9D")
    ap.add_argument("--secret", required=True, help="its plain text")
    ap.add_argument("--encrypted-ec", required=True, help="S/MIME message for the P-256 key 82")
    ap.add_argument("--secret-ec", required=True, help="its plain text")
    args = ap.parse_args()
    run = Run(args)
    try:
        run.run()
    except Exception:  # a crashed driver is one failure, with its story
        run.tap.ok(False, "the Thunderbird driver ran to its end", traceback.format_exc())
    sys.exit(1 if run.tap.failed else 0)


if __name__ == "__main__":
    main()
