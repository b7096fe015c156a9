#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""bench/report.py RUN-DIR: the benchmark's tables and plots from RUN-DIR/raw.csv.

Writes into RUN-DIR: table.txt (printed too), summary.csv and summary.json (per flow, module
and figure: runs, min, median, max), flows.png and growth.png (python3-matplotlib).
A figure is taken from the runs that succeeded (exit status 0) only.
"""
import csv
import json
import os
import statistics
import sys

MODULES = ["tessera", "opensc", "ykcs11"]
BASE = "opensc"

# flow id, kind, title
FLOWS = [
    ("certutil-cold", "process", "NSS certutil -L -h all, cold (empty cache folders), whole process"),
    ("certutil-warm", "process", "NSS certutil -L -h all, warm (after an earlier process), whole process"),
    ("pkcs11-tool-list", "process", "pkcs11-tool -L -O, whole process"),
    ("login-sign", "process", "login + one RSA-2048 signature (pkcs11-tool --sign, 9A), whole process"),
    ("sign100-rsa", "sign", "100 RSA-2048 signatures (9A, CKM_RSA_PKCS) in one session, after login"),
    ("sign100-ecdsa", "sign", "100 ECDSA P-256 signatures (9E) in one session, after login"),
    ("sign100-9c", "sign", "100 signatures with the PIN-always key 9C (P-256), a context login each"),
    ("tls13", "process", "tstclnt TLS 1.3 client auth (9A, RSA-PSS) against openssl s_server -Verify 1, whole process"),
    ("init", "process", "C_Initialize + C_GetSlotList + C_Finalize (time of the three calls)"),
    ("idle", "idle", "idle 10 s: C_Initialize, C_GetTokenInfo, a thread in C_WaitForSlotEvent (NSS's flags)"),
    ("contention", "contention", "calls that need no card while another thread signs (9A) without pause"),
    ("insertion", "insertion", "cardsim insert -> C_WaitForSlotEvent returns -> C_GetTokenInfo"),
]
GROWTH = [4, 14, 24]
for _n in GROWTH[1:]:
    for _t in ("cold", "warm"):
        FLOWS.append((f"growth-{_t}-{_n}", "process",
                      f"NSS certutil -L -h all, {_t}, with {_n} certificates on the card"))


def growth_flow(temp, certs):
    """The flow that measured certutil -L (temp: cold or warm) with CERTS certificates."""
    return f"certutil-{temp}" if certs == GROWTH[0] else f"growth-{temp}-{certs}"


def load(run_dir):
    """{(flow, module): {run: {metric: value}}} from raw.csv."""
    data = {}
    with open(os.path.join(run_dir, "raw.csv"), newline="") as f:
        for r in csv.DictReader(f):
            runs = data.setdefault((r["flow"], r["module"]), {})
            runs.setdefault(r["run"], {})[r["metric"]] = r["value"]
    return data


def number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


class Cell:
    """The figures of one flow and module over its successful runs."""

    def __init__(self, runs):
        self.runs = runs
        self.ok = [m for m in runs.values() if m.get("status") == "0"]
        self.failed = [m.get("status", "?") for m in runs.values() if m.get("status") != "0"]

    def values(self, metric):
        return [x for x in (number(m.get(metric)) for m in self.ok) if x is not None]

    def stats(self, metric):
        v = self.values(metric)
        if not v:
            return None
        return {"runs": len(v), "min": min(v), "median": statistics.median(v), "max": max(v)}

    def median(self, metric):
        s = self.stats(metric)
        return s["median"] if s else None

    def text(self, metric):
        """Every run's value alike: the text of the ok runs' values (first one)."""
        for m in self.ok:
            if metric in m:
                return m[metric]
        return None


def fmt_count(cell, metric):
    s = cell.stats(metric)
    if s is None:
        return "-"
    if s["min"] == s["max"]:
        return f"{s['min']:.0f}"
    return f"{s['median']:.0f} ({s['min']:.0f}-{s['max']:.0f})"


def fmt_ms(v):
    if v is None:
        return "-"
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def ratio(cells, module, metric):
    m, b = cells[module].median(metric), cells.get(BASE) and cells[BASE].median(metric)
    if m is None or not b:
        return "-"
    return f"{m / b:.2f}x"


def columns(kind, any_certs=False):
    """(header, function(cells, module) -> text) per column of a flow's table; ANY_CERTS: a
    "certs listed" column (certutil flows)."""
    per_op = lambda c, m: fmt_ms(c[m].median("per_op_ms"))
    per_sig = lambda c, m: (lambda a, n: "-" if a is None or not n else f"{a / n:.2f}")(
        c[m].median("apdus"), c[m].median("ops"))
    apdus = ("APDUs", lambda c, m: fmt_count(c[m], "apdus"))
    pcsc = ("PC/SC calls", lambda c, m: fmt_count(c[m], "pcsc"))
    wall = [("wall min ms", lambda c, m: fmt_ms((c[m].stats("wall_ms") or {}).get("min"))),
            ("wall median ms", lambda c, m: fmt_ms(c[m].median("wall_ms"))),
            ("vs OpenSC", lambda c, m: ratio(c, m, "wall_ms"))]
    if kind == "process":
        certs = [("certs listed", lambda c, m: fmt_count(c[m], "certs"))] if any_certs else []
        return certs + [apdus, ("GET RESP", lambda c, m: fmt_count(c[m], "get_response")),
                        ("extended", lambda c, m: fmt_count(c[m], "extended")), pcsc] + wall
    if kind == "sign":
        return [apdus, ("APDUs/sig", per_sig), pcsc] + wall + [("ms/sig", per_op)]
    if kind == "insertion":
        return [apdus, pcsc] + wall + [("method", lambda c, m: c[m].text("method") or "-")]
    if kind == "idle":
        return [apdus, pcsc, ("wake-ups", lambda c, m: fmt_count(c[m], "wakeups")),
                ("events", lambda c, m: fmt_count(c[m], "events")),
                ("threads", lambda c, m: fmt_count(c[m], "threads")),
                ("CPU ms", lambda c, m: fmt_ms(c[m].median("cpu_ms"))),
                ("C_WaitForSlotEvent", lambda c, m: c[m].text("waiter") or "-")]
    lat = lambda key: (lambda c, m: fmt_ms(c[m].median(key)) if c[m].median(key) is None
                       else f"{c[m].median(key):.2f}")
    return [("GetAttr p50 ms", lat("getattr_p50_ms")), ("GetAttr p99 ms", lat("getattr_p99_ms")),
            ("SlotList p50 ms", lat("slotlist_p50_ms")), ("SlotList p99 ms", lat("slotlist_p99_ms")),
            ("alone: GetAttr p50", lat("getattr_idle_p50_ms")),
            ("alone: SlotList p50", lat("slotlist_idle_p50_ms")),
            ("signatures", lambda c, m: fmt_count(c[m], "signatures"))]


def render(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(x).ljust(w) if i == 0 else str(x).rjust(w)
                               for i, (x, w) in enumerate(zip(r, widths)))
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def flow_table(flow, kind, title, data, modules):
    cells = {m: Cell(data.get((flow, m), {})) for m in modules}
    if not any(c.runs for c in cells.values()):
        return None
    cols = columns(kind, any(c.values("certs") for c in cells.values()))
    rows = []
    for m in modules:
        c = cells[m]
        if not c.runs:
            continue
        if not c.ok:
            rows.append([m, f"failed (exit {', '.join(sorted(set(c.failed)))})"] + [""] * (len(cols) - 1))
            continue
        note = f"  [{len(c.failed)} of {len(c.runs)} runs failed]" if c.failed else ""
        rows.append([m] + [f(cells, m) for _, f in cols])
        rows[-1][-1] = f"{rows[-1][-1]}{note}"
    return f"== {title}  [{flow}]\n" + render(["module"] + [h for h, _ in cols], rows)


def overview(data, modules):
    """One line per flow: APDUs and median time per module."""
    header = ["flow"] + [f"{m} APDUs / ms" for m in modules]
    rows = []
    for flow, kind, _ in FLOWS:
        if kind in ("idle", "contention") or flow.startswith("growth"):
            continue
        cells = {m: Cell(data.get((flow, m), {})) for m in modules}
        if not any(c.ok for c in cells.values()):
            continue
        row = [flow]
        for m in modules:
            a, t = cells[m].median("apdus"), cells[m].median("wall_ms")
            row.append("-" if a is None else f"{a:.0f} / {fmt_ms(t)}")
        rows.append(row)
    return "== Overview: APDUs / median wall time (ms)\n" + render(header, rows)


def growth_table(data, modules):
    header = ["certificates"]
    for m in modules:
        header += [f"{m} cold", f"{m} warm"]
    rows = []
    for n in GROWTH:
        row = [str(n)]
        for m in modules:
            for t in ("cold", "warm"):
                c = Cell(data.get((growth_flow(t, n), m), {}))
                a, w = c.median("apdus"), c.median("wall_ms")
                row.append("-" if a is None else f"{a:.0f} / {fmt_ms(w)}")
        rows.append(row)
    if all(r[1:] == ["-"] * (len(r) - 1) for r in rows[1:]):
        return None
    return "== Growth: NSS certutil -L -h all, APDUs / median wall time (ms)\n" + render(header, rows)


def summary(data, run_dir):
    rows, tree = [], {}
    for (flow, module), runs in sorted(data.items()):
        c = Cell(runs)
        metrics = sorted({k for m in runs.values() for k in m if k != "status"})
        for k in metrics:
            s = c.stats(k)
            if s is None:
                t = c.text(k)
                if t is None:
                    continue
                s = {"runs": len(c.ok), "value": t}
            tree.setdefault(flow, {}).setdefault(module, {})[k] = s
            rows.append([flow, module, k, s.get("runs"), s.get("min", ""), s.get("median", s.get("value")),
                         s.get("max", "")])
        tree.setdefault(flow, {}).setdefault(module, {})["failed_runs"] = len(c.failed)
    with open(os.path.join(run_dir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["flow", "module", "metric", "runs", "min", "median", "max"])
        w.writerows(rows)
    with open(os.path.join(run_dir, "summary.json"), "w") as f:
        json.dump(tree, f, indent=1, sort_keys=True)


def legend(ax, **kw):
    if ax.get_legend_handles_labels()[0]:
        ax.legend(**kw)


def plots(data, modules, run_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: python3-matplotlib is not installed: no plots", file=sys.stderr)
        return
    flows = [f for f, k, _ in FLOWS if k in ("process", "sign", "insertion") and not f.startswith("growth")
             and any(Cell(data.get((f, m), {})).ok for m in modules)]
    fig, axes = plt.subplots(3, 1, figsize=(12, 13))
    width = 0.8 / max(len(modules), 1)
    for i, m in enumerate(modules):
        xs = [j + i * width for j in range(len(flows))]
        axes[0].bar(xs, [Cell(data.get((f, m), {})).median("apdus") or 0 for f in flows], width, label=m)
        axes[1].bar(xs, [Cell(data.get((f, m), {})).median("wall_ms") or 0 for f in flows], width, label=m)
    for ax, what in ((axes[0], "APDUs (median of runs)"), (axes[1], "wall time, ms (median, log scale)")):
        ax.set_xticks([j + 0.4 - width / 2 for j in range(len(flows))])
        ax.set_xticklabels(flows, rotation=20, ha="right")
        ax.set_ylabel(what)
        legend(ax)
        ax.grid(axis="y", alpha=0.3)
    axes[1].set_yscale("log")
    keys = ["getattr_p50_ms", "getattr_p99_ms", "slotlist_p50_ms", "slotlist_p99_ms"]
    for i, m in enumerate(modules):
        c = Cell(data.get(("contention", m), {}))
        axes[2].bar([j + i * width for j in range(len(keys))], [max(c.median(k) or 0, 0.001) for k in keys],
                    width, label=m)
    axes[2].set_xticks([j + 0.4 - width / 2 for j in range(len(keys))])
    axes[2].set_xticklabels(["GetAttributeValue p50", "p99", "GetSlotList p50", "p99"])
    axes[2].set_yscale("log")
    axes[2].set_ylabel("ms while another thread signs (log)")
    legend(axes[2])
    axes[2].grid(axis="y", alpha=0.3)
    fig.suptitle("tessera, OpenSC and ykcs11 on one simulated card (5 ms per APDU)")
    fig.tight_layout()
    fig.savefig(os.path.join(run_dir, "flows.png"), dpi=90)
    plt.close(fig)

    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    for i, m in enumerate(modules):
        for t, style in (("cold", "-o"), ("warm", "--s")):
            cells = [Cell(data.get((growth_flow(t, n), m), {})) for n in GROWTH]
            pts = [(n, c.median("apdus"), c.median("wall_ms")) for n, c in zip(GROWTH, cells)]
            pts = [p for p in pts if p[1] is not None]
            if pts:
                for ax, k in ((axes[0], 1), (axes[1], 2)):
                    ax.plot([p[0] for p in pts], [p[k] for p in pts], style, color=f"C{i}", label=f"{m} {t}")
    axes[0].set_ylabel("APDUs")
    axes[1].set_ylabel("wall time, ms (median)")
    for ax in axes:
        ax.set_ylim(bottom=0)
        ax.set_xlabel("certificates on the card")
        ax.set_xticks(GROWTH)
        ax.grid(alpha=0.3)
        legend(ax, fontsize=8)
    fig.suptitle("NSS certutil -L -h all as the card fills up")
    fig.tight_layout()
    fig.savefig(os.path.join(run_dir, "growth.png"), dpi=90)
    plt.close(fig)


def main():
    if len(sys.argv) != 2:
        print("usage: bench/report.py RUN-DIR", file=sys.stderr)
        return 2
    run_dir = sys.argv[1]
    data = load(run_dir)
    modules = [m for m in MODULES if any(k[1] == m for k in data)]
    parts = []
    meta = os.path.join(run_dir, "meta.txt")
    if os.path.exists(meta):
        with open(meta) as f:
            parts.append(f.read().rstrip())
    parts.append(overview(data, modules))
    for flow, kind, title in FLOWS:
        t = flow_table(flow, kind, title, data, modules)
        if t:
            parts.append(t)
    g = growth_table(data, modules)
    if g:
        parts.append(g)
    text = "\n\n".join(parts) + "\n"
    with open(os.path.join(run_dir, "table.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    summary(data, run_dir)
    plots(data, modules, run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
