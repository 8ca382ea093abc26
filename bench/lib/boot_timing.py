#!/usr/bin/env python3
"""Timing helpers for bench/boot (standard library only).

  boot_timing.py run --tool NAME --run I --log FILE --results FILE --banner STR --marker STR
                     [--timeout S] -- COMMAND...
      Runs COMMAND with stdin from /dev/null, reads its stdout (the guest console) as a
      stream and appends one tab-separated line to the results file: seconds from the
      start to the first console byte, to the banner, to the marker and to the exit, the
      exit status, the CPU seconds (user+sys) the command used, and the host's 1-minute load
      average before and after. The console goes to FILE, stderr to FILE.stderr.

  boot_timing.py summary RESULTS
      Prints the per-run table, the medians and the ratios Nucleo/QEMU as Markdown.
"""

import argparse
import os
import select
import signal
import statistics
import subprocess
import sys
import time

COLUMNS = ["tool", "run", "first_output_s", "banner_s", "marker_s", "exit_s", "status",
           "cpu_s", "load_before", "load_after", "build", "note"]


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def fmt(value):
    return "-" if value is None else f"{value:.3f}"


def run(args):
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command
    if not command:
        sys.exit("boot_timing.py run: no command")
    banner, marker = args.banner.encode(), args.marker.encode()
    load_before = load_average()
    seen = bytearray()
    first = banner_at = marker_at = None
    note = ""
    with open(args.log, "wb") as log, open(args.log + ".stderr", "wb") as err, \
            open(os.devnull, "rb") as devnull:
        start = time.monotonic()
        # Its own process group, so a timeout can stop the launcher and whatever it started.
        proc = subprocess.Popen(command, stdin=devnull, stdout=subprocess.PIPE, stderr=err,
                                start_new_session=True)
        fd = proc.stdout.fileno()
        deadline = start + args.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                note = f"timeout after {args.timeout:g} s"
                os.killpg(proc.pid, signal.SIGKILL)
                break
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            now = time.monotonic() - start
            if not chunk:
                break  # stdout closed: the command is exiting
            log.write(chunk)
            log.flush()
            if first is None:
                first = now
            # Search only the new bytes plus enough of the old to catch a split string.
            tail_from = max(0, len(seen) - max(len(banner), len(marker)))
            seen += chunk
            if banner_at is None and banner in seen[tail_from:]:
                banner_at = now
            if marker_at is None and marker in seen[tail_from:]:
                marker_at = now
        _, wait_status, usage = os.wait4(proc.pid, 0)
        exit_at = time.monotonic() - start
    status = os.waitstatus_to_exitcode(wait_status)
    cpu = usage.ru_utime + usage.ru_stime
    if not note:
        if status != 0:
            note = f"exit status {status}"
        elif banner_at is None:
            note = "no banner"
        elif marker_at is None:
            note = "no marker"
    row = [args.tool, str(args.run), fmt(first), fmt(banner_at), fmt(marker_at), fmt(exit_at),
           str(status), fmt(cpu), f"{load_before:.2f}", f"{load_average():.2f}", args.build or "-", note]
    new_file = not os.path.exists(args.results) or os.path.getsize(args.results) == 0
    with open(args.results, "a") as out:
        if new_file:
            out.write("\t".join(COLUMNS) + "\n")
        out.write("\t".join(row) + "\n")
    print(f"  {args.tool} run {args.run}: banner {fmt(banner_at)} s, exit {fmt(exit_at)} s,"
          f" status {status}, cpu {fmt(cpu)} s, load {load_before:.2f}" + (f"  ({note})" if note else ""),
          flush=True)
    return 0 if not note else 1


def read_results(path):
    rows = []
    with open(path) as f:
        header = f.readline().rstrip("\n").split("\t")
        for line in f:
            values = line.rstrip("\n").split("\t")
            rows.append(dict(zip(header, values + [""] * (len(header) - len(values)))))
    return rows


def number(row, key):
    value = row.get(key, "-")
    return None if value in ("", "-") else float(value)


def summary(args):
    rows = read_results(args.results)
    tools = ["nucleo", "qemu"]
    by_run = {}
    for row in rows:
        by_run.setdefault(int(row["run"]), {})[row["tool"]] = row
    metrics = [("banner_s", "to banner"), ("exit_s", "to exit"), ("cpu_s", "CPU (user+sys)")]

    def cell(row, key):
        if row is None:
            return "-"
        value = number(row, key)
        return "-" if value is None else f"{value:.2f}"

    print("| run | " + " | ".join(f"{t} {label} (s)" for t in ["Nucleo", "QEMU"] for _, label in metrics)
          + " | load (1 min) N / Q | Nucleo build | notes |")
    print("|---:|" + "---:|" * (2 * len(metrics)) + "---|---|---|")
    for i in sorted(by_run):
        r = by_run[i]
        notes = "; ".join(f"{t}: {r[t]['note']}" for t in tools if t in r and r[t]["note"])
        loads = " / ".join(r[t]["load_before"] if t in r else "-" for t in tools)
        print(f"| {i} | " + " | ".join(cell(r.get(t), key) for t in tools for key, _ in metrics)
              + f" | {loads} | {r['nucleo'].get('build', '-') if 'nucleo' in r else '-'} | {notes} |")

    ok = {t: [row for row in rows if row["tool"] == t and not row["note"]] for t in tools}
    print()
    print("| median over good runs | Nucleo (s) | QEMU (s) | Nucleo/QEMU |")
    print("|---|---:|---:|---:|")
    medians = {}
    for key, label in [("first_output_s", "to first console output")] + metrics:
        m = {}
        for t in tools:
            values = [number(row, key) for row in ok[t]]
            values = [v for v in values if v is not None]
            m[t] = statistics.median(values) if values else None
        medians[key] = m
        ratio = (f"{m['nucleo'] / m['qemu']:.2f}x" if m["nucleo"] is not None and m["qemu"]
                 else "-")
        print(f"| {label} | {fmt2(m['nucleo'])} | {fmt2(m['qemu'])} | {ratio} |")
    builds = sorted({row.get("build", "-") for row in rows if row["tool"] == "nucleo"})
    if len(builds) > 1:
        print()
        print(f"warning: the Nucleo runs used {len(builds)} different builds ({', '.join(builds)}):"
              " nucleo was rebuilt between runs, so the medians mix them")
    print()
    print(f"good runs: Nucleo {len(ok['nucleo'])} of {sum(r['tool'] == 'nucleo' for r in rows)},"
          f" QEMU {len(ok['qemu'])} of {sum(r['tool'] == 'qemu' for r in rows)}")
    return 0 if all(len(ok[t]) == sum(r["tool"] == t for r in rows) for t in tools) else 1


def fmt2(value):
    return "-" if value is None else f"{value:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("run")
    r.add_argument("--tool", required=True)
    r.add_argument("--run", type=int, required=True)
    r.add_argument("--log", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--banner", required=True)
    r.add_argument("--marker", required=True)
    r.add_argument("--timeout", type=float, default=300)
    r.add_argument("--build", help="an id of the build under test, recorded with the run")
    r.add_argument("command", nargs=argparse.REMAINDER)
    s = sub.add_parser("summary")
    s.add_argument("results")
    args = parser.parse_args()
    return run(args) if args.action == "run" else summary(args)


if __name__ == "__main__":
    sys.exit(main())
